//go:build chorus_patch

// Chorus: copied into FerretDB as internal/util/chorus by scripts/build-ferretdb.mjs, which builds with the
// chorus_patch tag. Outside that copy the tag keeps it out of every build.
//
// Package chorus holds the one switch of Chorus's patches to FerretDB that can be turned back at run time.
package chorus

import "os"

// Upstream: CHORUS_FERRETDB=upstream makes the patched server behave as FerretDB v1.24.2 does where a patch has a
// choice at run time (the filter pushdown, the leak tracker, the SQL debug lines), so that bench/queries can
// measure both side by side in one run. The forum never sets it.
var Upstream = os.Getenv("CHORUS_FERRETDB") == "upstream"
