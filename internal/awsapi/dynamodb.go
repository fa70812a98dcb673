package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxDynamoDBResponse bounds what one DynamoDB answer may hold: a Query
// page is at most 1 MB of items, which their JSON encoding can double.
const maxDynamoDBResponse = 8 << 20

// DynamoDB sends requests of DynamoDB's JSON protocol. Safe for concurrent
// use; build one per process, it keeps the connections.
type DynamoDB struct {
	c        *client
	endpoint string
}

// NewDynamoDB returns a DynamoDB client for cfg.
func NewDynamoDB(cfg Config) *DynamoDB {
	return &DynamoDB{c: newClient(cfg, "dynamodb"), endpoint: cfg.endpoint("dynamodb") + "/"}
}

// Call sends the action op (GetItem, Query, Scan) with in, encoded as JSON,
// as its body, and decodes the answer into out.
func (d *DynamoDB) Call(ctx context.Context, op string, in, out any) error {
	return callJSON(ctx, d.c, d.endpoint, "1.0", "DynamoDB_20120810", op, maxDynamoDBResponse, in, out, checkCRC32)
}

// callJSON sends the action op of a service that speaks AWS's JSON
// protocol (DynamoDB version 1.0, KMS 1.1) with in as its JSON body, and
// decodes the answer, of at most limit bytes and passing check when set,
// into out.
func callJSON(ctx context.Context, c *client, endpoint, version, prefix, op string, limit int, in, out any, check func(*http.Response, []byte) error) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode the %s request: %w", op, err)
	}
	newReq := func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-amz-json-"+version)
		req.Header.Set("X-Amz-Target", prefix+"."+op)
		return req, nil
	}
	return c.do(ctx, newReq, payloadHash(body), func(resp *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
		if err != nil {
			return err // a connection dropped mid-answer: the retryer decides
		}
		if len(b) > limit {
			return fmt.Errorf("the %s answer is larger than %d bytes", op, limit)
		}
		if check != nil {
			if err := check(resp, b); err != nil {
				return err
			}
		}
		if resp.StatusCode != http.StatusOK {
			return dynamoDBError(resp, b)
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode the %s answer: %w", op, err)
		}
		return nil
	})
}

// errCRC32 is a body that does not match the checksum DynamoDB sent: it
// was damaged on the way, and the request is tried again.
type errCRC32 struct{}

func (errCRC32) Error() string        { return "the answer does not match its X-Amz-Crc32 checksum" }
func (errCRC32) RetryableError() bool { return true }

func checkCRC32(resp *http.Response, body []byte) error {
	h := resp.Header.Get("X-Amz-Crc32")
	if h == "" || resp.Uncompressed {
		return nil
	}
	want, err := strconv.ParseUint(h, 10, 32)
	if err != nil {
		return nil // not a checksum we can read: nothing to check against
	}
	if crc32.ChecksumIEEE(body) != uint32(want) {
		return errCRC32{}
	}
	return nil
}

// dynamoDBError reads DynamoDB's error document: {"__type":
// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message":
// "…"}.
func dynamoDBError(resp *http.Response, body []byte) error {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Amzn-Requestid")}
	var doc struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.Code = doc.Type[strings.LastIndexByte(doc.Type, '#')+1:]
		e.Message = doc.Message
		if e.Message == "" {
			e.Message = doc.Message2
		}
	}
	if e.Code == "" {
		if t := resp.Header.Get("X-Amzn-Errortype"); t != "" {
			e.Code, _, _ = strings.Cut(t, ":")
		}
	}
	if e.Code == "" && e.Message == "" {
		e.Message = firstLine(body)
	}
	return e
}

// IsCode reports whether err is a service's answer with the error code.
func IsCode(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}
