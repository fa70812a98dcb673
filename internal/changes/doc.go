// Package changes answers "who does this mapping change affect, and how":
// it evaluates two mappings for the same set of users and reports, per user
// and token, the claims added, removed and changed, the groups, IAM roles,
// preferred role and scopes, and the events that start or stop failing.
//
// Compare is the API (package workspace calls it for diff, the publishing
// gate and the studio, with the mappings opened once); the users come from Cognito event files (Events) or from user keys
// expanded into a template event (Expand), the keys read from a users file,
// a local data table or a bounded DynamoDB scan (Sample). Write renders a
// Report as text, JSON or Markdown, masking values by default because a diff
// is shared in pull requests.
//
// The tokens compared are those package preview builds, so a diff shows
// exactly what preview shows for each user, before and after.
package changes
