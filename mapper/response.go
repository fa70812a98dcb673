package mapper

import (
	"context"
	"fmt"
	"log/slog"
)

// Handle serves one invocation: it decodes the event, evaluates the mapping
// and returns the event with its response set, every other field unchanged.
// The response is written straight into the copy of the event.
func (mp *Mapper) Handle(ctx context.Context, event []byte) ([]byte, error) {
	return mp.handle(ctx, event, nil)
}

func (mp *Mapper) handle(ctx context.Context, event []byte, stats *Stats) ([]byte, error) {
	ev, err := DecodeEvent(event)
	if err != nil {
		return nil, err
	}
	if ev.sentVersion != "" {
		mp.log.LogAttrs(ctx, slog.LevelDebug, "event version read as version 1",
			slog.String("sent", ev.sentVersion), slog.String("why", "cognito-local sends version \"0\" with a V1 event; Cognito sends \"1\""))
	}
	r, err := mp.evaluate(ctx, ev, nil, stats)
	if err != nil {
		return nil, err
	}
	start, end, prefix, err := responseSpan(event)
	if err != nil {
		return nil, err
	}
	// Room for the response too: a claim takes some tens of bytes in each
	// of the two tokens. A guess that is short only costs one more copy.
	out := make([]byte, 0, len(event)+256+96*len(mp.claims))
	out = append(out, event[:start]...)
	out = append(out, prefix...)
	if out, err = appendResponse(out, r, mp.claimNames); err != nil {
		// Values come from DynamoDB items and expressions; a NaN is the one
		// value JSON cannot hold.
		return nil, &EventError{Public: publicClaimError, Rule: "response", Reason: "the response cannot be written as JSON", Err: fmt.Errorf("encode response: %w", err)}
	}
	out = append(out, event[end:]...)
	if err := checkResponseSize(len(out)); err != nil {
		return nil, err
	}
	return out, nil
}
