// Package runfiles is the one home of the files parbench writes into a run
// folder and reads back. Folder knows the path of every one of them (the
// bench file, the timelines and their traces, the profiles and their
// breakdown, the report's files and charts) and reads each kind in one
// place; the config keys and units of bench.txt, the timeline CSV, the
// names and labels of the profiles, the report's manifest and the atomic
// write that every file goes through are here too. The harness writes
// through it and the report reads through it; neither knows the other.
package runfiles
