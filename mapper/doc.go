// Package mapper compiles a mapping (package config) into expr programs and
// evaluates it for Cognito Pre Token Generation events of versions 1, 2 and 3.
//
// Load is the one front door from a mapping's text to a runnable Mapper:
//
//	mp, warnings, err := mapper.Load(src, mapper.LoadOptions{File: "mapping.yaml", Store: store})
//	if err != nil {
//		return err // a *config.Error: every finding, with file:line:col
//	}
//	out, err := mp.Handle(ctx, event) // the event as Cognito sends it, with its response
//
// It parses the text (package config), compiles it and binds it to
// LoadOptions.Env, the values of the mapping's ${NAME}. A caller that runs
// one mapping in many environments parses it once (config.Parse), compiles
// it once (Compile) and binds it to each (Mapper.Bind): binding shares
// every compiled program, as the inline tests do with their env:. The Lambda's init,
// every CLI command and lint call it and nothing else, so lint accepts
// exactly what the function loads; config.Options carries the size limit,
// Env what ${NAME} reads, Limits what one event's expressions may do. A Mapper is immutable and safe for concurrent use.
// Evaluate and EvaluateTrace give the Result (and why) without the wire
// format; HandleStats counts what an event did, for metrics.
//
// Everything expensive happens once, in Load: expressions are compiled,
// the sources are ordered by their dependencies, and the attributes each
// source must fetch are worked out from the expressions that read it. Per
// event, Handle decodes the event, looks the sources up through a Store,
// evaluates the claims and writes the response Cognito expects, keeping every
// other field of the event as it came. An event of version "0", which the
// cognito-local emulator sends where Cognito sends "1", is read as version 1
// (DecodeEvent), so the function serves local sign-ins unchanged.
//
// Every expression runs under a cost model (cost.go): each operator and
// builtin expr offers has an entry, either a fixed cost or a function that
// charges the event's budget (budget.go) from the sizes of its inputs before
// it runs; an operation without an entry does not compile. compileExpr
// parses and type-checks an expression once, then the analysis of what it
// reads, the constant check and the budget's rewrite walk that one tree.
//
// The package knows the Cognito event shapes and expr, not the AWS SDK: data
// comes through the small Store interface, which package localdata
// implements over a file and package dynamo over DynamoDB. Warnings about
// omitted claims and failed lookups go to the Logger given to Load, with
// the context the event was handled with, so the caller's log handler can
// add what that context carries (the Lambda adds the request id). The
// cases of the rules mapper adds to config's (expressions, dependencies,
// what Cognito refuses) are in testdata, each with its findings.
package mapper
