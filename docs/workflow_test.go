package docs

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestGitHubWorkflowExample keeps the documented GitHub Actions workflow a
// valid workflow that runs the commands the docs describe.
func TestGitHubWorkflowExample(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../deploy/github-actions/mapping.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			If    string `yaml:"if"`
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(src, &wf); err != nil {
		t.Fatalf("the workflow is not valid YAML: %v", err)
	}
	if wf.On["pull_request"] == nil || wf.On["push"] == nil {
		t.Errorf("the workflow should run on pull requests and on push: %v", wf.On)
	}
	want := map[string][]string{
		"review":  {"claimsmapper lint", "claimsmapper test", "claimsmapper diff --format markdown", "gh pr comment"},
		"publish": {"claimsmapper publish --yes"},
	}
	for job, cmds := range want {
		var runs strings.Builder
		for _, s := range wf.Jobs[job].Steps {
			runs.WriteString(s.Run + "\n")
		}
		for _, c := range cmds {
			if !strings.Contains(runs.String(), c) {
				t.Errorf("job %q does not run %q", job, c)
			}
		}
		if strings.Contains(runs.String(), "${{") {
			t.Errorf("job %q puts ${{ }} in a script, where text from a pull request could run as code; pass it through env:", job)
		}
	}
}
