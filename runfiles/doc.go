// Package runfiles is the one home of the files parbench writes into a run
// folder and reads back: the config keys of bench.txt, the timeline CSV,
// the names of the profile files, and the atomic write that every one of
// them goes through. The harness writes them and the report reads them;
// neither knows the other.
package runfiles
