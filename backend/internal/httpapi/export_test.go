package httpapi

// QueryParamRoutes lists the routes queryParams names, as "METHOD route", for tests.
func QueryParamRoutes() []string {
	out := make([]string, 0, len(queryParams))
	for route := range queryParams {
		out = append(out, route)
	}
	return out
}

// QuotaAge is how old the usage a create is checked against may be.
const QuotaAge = quotaAge
