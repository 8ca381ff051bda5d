// Package replicatest runs several Forma replicas (app.New, each behind its own
// httptest.Server) on one Postgres database and the real Redis, and checks the model
// cache's promise across them: a change made through one replica is used correctly by
// every other, at once for writes and for clients naming a version, and within the
// staleness window for everything else, whatever happens to pub/sub or to Redis.
//
// Every test uses a random Redis key prefix and names its Redis clients after it, so
// tests share one Redis without seeing each other, and a test kills only its own
// connections (CLIENT LIST, then CLIENT KILL ID).
package replicatest
