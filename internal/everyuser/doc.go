// Package everyuser finds, before a mapping ships, the claims that fail or
// are left out for some users: a claim that lints clean and passes the one
// test written for it can still fail at sign-in for every user whose item
// lacks an attribute it joins (`user.FirstName + " " + user.LastName` for a
// user without names), and the function then leaves the claim out without
// anyone seeing it.
//
// Check evaluates every claim for every user of the sample data lint can
// see (the inline tests' data:, lint --data, the studio's --data) and
// returns one warning per claim that fails or is left out for some of them:
// how many, which (their names masked as diff masks values), and why in
// plain words. Shapes checks the same mistake without data, from the
// expression alone. Both only warn: the function loads what lint accepts,
// whatever the sample data holds.
package everyuser
