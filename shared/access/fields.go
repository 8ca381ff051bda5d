package access

import (
	"bytes"
	"encoding/json"
	"errors"
)

// allFields is how Fields{All: true} is written.
const allFields = "*"

// MarshalJSON writes "*" or the list of names ([] when there are none).
func (f Fields) MarshalJSON() ([]byte, error) {
	if f.All {
		return json.Marshal(allFields)
	}
	if f.Names == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(f.Names)
}

// errFields is the error of a fields value that is neither "*" nor a list of strings.
var errFields = errors.New(`fields must be "*" or a list of field names`)

// UnmarshalJSON reads "*" or a list of strings; anything else is an error.
func (f *Fields) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil || s != allFields {
			return errFields
		}
		*f = Fields{All: true}
	case len(data) > 0 && data[0] == '[':
		var names []string
		if err := json.Unmarshal(data, &names); err != nil {
			return errFields
		}
		if names == nil {
			names = []string{}
		}
		*f = Fields{Names: names}
	default:
		return errFields
	}
	return nil
}
