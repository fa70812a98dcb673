// Package preview shows what a mapping does to real tokens, for the people
// who edit it: the ID and access token payloads as Cognito would issue them
// after applying the mapping's response (Build), and every lookup and rule
// decision behind them (WriteExplain).
//
// The base claims are those Cognito derives from the event itself (sub,
// cognito:username, the user's attributes, groups, scope, iss, aud, …), with
// placeholder times and ids, since those exist only once Cognito signs a
// token. It is a preview, not a token: nothing here is signed or sent.
package preview
