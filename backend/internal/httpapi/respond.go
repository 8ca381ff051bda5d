package httpapi

import (
	"sync"

	"github.com/gin-gonic/gin"
)

// jsonContentType is the Content-Type of JSON answers, as c.JSON sends it.
const jsonContentType = "application/json; charset=utf-8"

// maxPooledBuffer is the largest response buffer kept for reuse; a huge bulk answer's
// buffer is left to the garbage collector instead of pinning its memory.
const maxPooledBuffer = 64 << 10

var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// writeJSON answers with the JSON that appendTo writes, built in a reused buffer and sent
// as it is: c.JSON would re-encode it through encoding/json.
func writeJSON(c *gin.Context, status int, appendTo func([]byte) []byte) {
	bp := jsonBuffers.Get().(*[]byte)
	b := appendTo((*bp)[:0])
	c.Data(status, jsonContentType, b)
	if cap(b) <= maxPooledBuffer {
		*bp = b
		jsonBuffers.Put(bp)
	}
}
