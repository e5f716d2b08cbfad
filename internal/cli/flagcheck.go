package cli

import (
	"flag"
	"strings"
)

// checkSetFlags looks at the flags the user set, not at their values alone:
// an empty -cpu given on the command line is a mistake (as an empty
// -workers is), while leaving -cpu out means every core count. An empty -o
// means the default results root, as an empty report -o means the default
// report folder.
func checkSetFlags(fs *flag.FlagSet, f *runFlags) error {
	var err error
	fs.Visit(func(fl *flag.Flag) {
		switch {
		case err != nil:
		case fl.Name == "cpu" && strings.Trim(f.cpu, " ,") == "":
			err = usageErrorf("-cpu %q: no core counts given (leave -cpu out for every core count)", f.cpu)
		case fl.Name == "o" && strings.TrimSpace(f.out) == "":
			f.out = fl.DefValue
		}
	})
	return err
}
