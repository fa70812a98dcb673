package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

// Event is the flags of a command that evaluates a mapping for one event.
type Event struct {
	Mapping, Event, Data string
	Env                  Env
	Version              Version
	// User and Groups make the event another user's sign-in (--user NAME,
	// --group NAME...), so that no one edits JSON to see another user.
	User   string
	Groups Groups
}

// Groups is a repeatable --group NAME.
type Groups []string

func (g *Groups) String() string { return strings.Join(*g, ",") }

// Set adds one group.
func (g *Groups) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("a group name cannot be empty")
	}
	*g = append(*g, v)
	return nil
}

// Register adds --mapping, --event, --data, --env, --version, --user and
// --group to fs.
func (f *Event) Register(fs *flag.FlagSet) {
	if f.Env == nil {
		f.Env = Env{}
	}
	fs.StringVar(&f.Mapping, "mapping", "", "the mapping file (YAML)")
	fs.StringVar(&f.Event, "event", "", "the event (JSON)")
	fs.StringVar(&f.Data, "data", "", "tables and items to use instead of DynamoDB (YAML or JSON)")
	fs.Var(f.Env, "env", "NAME=VALUE for the mapping's ${NAME} (repeatable)")
	fs.Var(&f.Version, "version", "rewrite the event to trigger version 1, 2 or 3")
	fs.StringVar(&f.User, "user", "", "sign in as this user")
	fs.Var(&f.Groups, "group", "the user's groups (repeatable)")
}

// signIn is how --version, --user and --group rewrite the event, as the
// studio rewrites it for the same choices: the version, the user's name
// (and the other event fields the mapping reads the user by, such as the
// sub, the event's other user attributes dropped, as they are its user's)
// and the groups Cognito sends as
// request.groupConfiguration.groupsToOverride, which expressions read as
// event.groups. Without any of them the event is unchanged.
func (f *Event) signIn() workspace.SignIn {
	s := workspace.SignIn{Version: string(f.Version), User: f.User}
	if len(f.Groups) > 0 {
		s.Groups = f.Groups
	}
	return s
}

// Usage is the help text of the flags Register adds, for a command's usage.
const Usage = `  --mapping FILE      the mapping file (YAML)
  --event FILE        the event (JSON)
  --data FILE         tables and items to use instead of DynamoDB (YAML or JSON)
  --env NAME=VALUE    a value for ${NAME} in the mapping, e.g. --env TABLE_NAME=SampleUsers;
                      repeat it for each variable. Without it the values come from the
                      environment or, with --data when that sets none, from the mapping's
                      first test's env:
  --version 1|2|3     show the event as Cognito sends it when the user pool's trigger
                      is V1_0, V2_0 or V3_0
  --user NAME         the event as NAME's sign-in: their user name (and sub, when the
                      mapping finds users by it); the event's other user attributes
                      are dropped, as they belong to its own user
  --group NAME        a group the user is in, as Cognito sends it (event.groups);
                      repeat it for each group. Without it the event's groups stay
`
