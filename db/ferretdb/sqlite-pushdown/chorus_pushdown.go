//go:build chorus_patch

// Chorus: copied into FerretDB's SQLite backend (internal/backends/sqlite) by scripts/build-ferretdb.mjs, which
// builds with the chorus_patch tag. Outside that copy the tag keeps it out of every build.
//
// FerretDB v1.24.2 hands SQLite a WHERE clause only for a filter that is a lone _id equality; every other filter
// reads the whole table and is applied in Go, though the indexes a collection declares exist in SQLite (one on
// `_ferretdb_sjson->"field"` per key). So a member's unread count, a comment's replies or a login by username read
// every notification, comment or member, and FerretDB runs nothing else meanwhile. Here a filter's _id, or the first
// field that leads one of the collection's indexes, is handed to SQLite too, as an equality or `$in` of strings or
// ObjectIds. The handler applies the whole filter again to what comes back (the backend interface lets a backend
// apply a filter partly), so the clause only has to keep every document the filter could match:
//   - a field holding an array matches when an element does, so documents whose field is an array (JSON text
//     starting with "[") are kept as well, by a range on the same indexed expression; and a dotted path that
//     passes through an array has no value in SQLite (NULL), so for a dotted field those documents are kept too;
//   - values are compared as the JSON text SQLite renders for the field, which for a string without escapes is the
//     string in quotes, as it is written; a value whose JSON needs an escape is left to the scan.
package sqlite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/chorus"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// chorusMaxIn bounds the values of one `$in` handed to SQLite (its bound parameters are limited).
const chorusMaxIn = 1000

// chorusWhere returns a WHERE clause (with a leading space) and its arguments for the filter, or "" and nil when
// no part of it can be handed to SQLite.
func chorusWhere(meta *metadata.Collection, filter *types.Document) (string, []any) {
	if chorus.Upstream { // FerretDB's own pushdown: a lone _id equality
		if filter.Len() != 1 {
			return "", nil
		}

		switch v, _ := filter.Get("_id"); v.(type) {
		case string, types.ObjectID:
			return " WHERE " + metadata.IDColumn + " = ?", []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}

		return "", nil
	}

	keys := filter.Keys()
	seen := make(map[string]int, len(keys))
	for _, k := range keys {
		seen[k]++
	}

	if seen["_id"] == 1 {
		if args, ok := chorusValues(must.NotFail(filter.Get("_id"))); ok {
			// _id is never an array.
			return " WHERE " + chorusIn(metadata.IDColumn, args), args
		}
	}

	for _, k := range keys {
		if seen[k] != 1 || k == "_id" || strings.HasPrefix(k, "$") || !chorusLeadsIndex(meta, k) {
			continue
		}

		fields := strings.Split(k, ".")
		if slices.Contains(fields, "") {
			continue
		}

		args, ok := chorusValues(must.NotFail(filter.Get(k)))
		if !ok {
			continue
		}

		// Spelled as the index spells it (registry.go indexesCreate), so SQLite matches the expression.
		for i, f := range fields {
			fields[i] = fmt.Sprintf("%q", f)
		}

		expr := metadata.DefaultColumn + "->" + strings.Join(fields, "->")
		clause := fmt.Sprintf("%s OR (%s >= '[' AND %s < '\\')", chorusIn(expr, args), expr, expr)

		// A path through an array (or a missing one) has no value here, and an array's elements may match: kept.
		if len(fields) > 1 {
			clause += fmt.Sprintf(" OR %s IS NULL", expr)
		}

		return " WHERE (" + clause + ")", args
	}

	return "", nil
}

// chorusLeadsIndex reports whether one of the collection's indexes starts with the field.
func chorusLeadsIndex(meta *metadata.Collection, field string) bool {
	for _, index := range meta.Settings.Indexes {
		if len(index.Key) > 0 && index.Key[0].Field == field {
			return true
		}
	}

	return false
}

// chorusIn compares the expression with one value or several.
func chorusIn(expr string, args []any) string {
	if len(args) == 1 {
		return expr + " = ?"
	}

	return expr + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ")"
}

// chorusValues returns the JSON texts a filter value matches: a string or an ObjectId, `{$eq: v}`, or
// `{$in: [v, ...]}` of those; ok is false for anything else.
func chorusValues(v any) ([]any, bool) {
	switch v := v.(type) {
	case string, types.ObjectID:
		text, ok := chorusText(v)
		if !ok {
			return nil, false
		}

		return []any{text}, true

	case *types.Document:
		if v.Len() != 1 {
			return nil, false
		}

		op := v.Keys()[0]
		arg := must.NotFail(v.Get(op))

		switch op {
		case "$eq":
			switch arg.(type) {
			case string, types.ObjectID:
				return chorusValues(arg)
			}

		case "$in":
			arr, ok := arg.(*types.Array)
			if !ok || arr.Len() == 0 || arr.Len() > chorusMaxIn {
				return nil, false
			}

			args := make([]any, 0, arr.Len())

			for i := 0; i < arr.Len(); i++ {
				switch e := must.NotFail(arr.Get(i)).(type) {
				case string, types.ObjectID:
					text, ok := chorusText(e)
					if !ok {
						return nil, false
					}

					args = append(args, text)

				default:
					return nil, false
				}
			}

			return args, true
		}
	}

	return nil, false
}

// chorusText is the value's JSON as SQLite renders it, when that is certain (no escapes).
func chorusText(v any) (string, bool) {
	b, err := sjson.MarshalSingleValue(v)
	if err != nil || strings.ContainsRune(string(b), '\\') {
		return "", false
	}

	return string(b), true
}
