package cli

import (
	"strconv"
	"strings"

	"github.com/parbench/parbench/harness"
)

// parseWorkers reads -workers into c: "cores", "cores-<d>", a comma list of
// counts and ranges ("1,2,8-10"), or a list that mixes both ("cores-1,11":
// the article's rule beside the article's own count).
func parseWorkers(c *harness.Config, flagValue string) error {
	w := strings.ReplaceAll(flagValue, " ", "")
	bad := func() error {
		return usageErrorf("-workers %q: want cores, cores-<d> or a comma list of counts, or both (cores-1,11)", flagValue)
	}
	var rel []int
	var counts []string
	for _, item := range strings.Split(w, ",") {
		switch {
		case item == "cores":
			rel = append(rel, 0)
		case strings.HasPrefix(item, "cores-"):
			d, err := strconv.Atoi(strings.TrimPrefix(item, "cores-"))
			if err != nil || d < 0 || d > maxListValue {
				return bad()
			}
			rel = append(rel, -d)
		case strings.HasPrefix(item, "cores"):
			return bad()
		default:
			counts = append(counts, item)
		}
	}
	if len(rel) == 1 && len(counts) == 0 {
		c.WorkersDelta = rel[0]
		return nil
	}
	if len(counts) > 0 {
		var err error
		if c.Workers, err = parseIntList(strings.Join(counts, ",")); err != nil {
			return usageErrorf("-workers %q: %v", flagValue, err)
		}
	}
	c.WorkersRel = rel
	return nil
}
