#!/bin/sh
# scnnc --report: the text table and the JSON form on the digits sample.
# usage: report_test.sh SCNNC_BIN SOURCE_DIR WORKDIR
# Checks: both forms are written; the text has its header and totals line;
# the JSON parses, has every key, its totals are the sums of its layers and
# the sparsity figures agree with the counts; the output is the same on a
# second run; names with quotes, backslashes and control characters come
# out escaped (JSON) or shown as '?' (text); an unwritable report fails
# with status 2 and writes no C.
set -u
[ $# -eq 3 ] || { echo "usage: $0 SCNNC_BIN SOURCE_DIR WORKDIR" >&2; exit 2; }
scnnc=$1
model=$2/samples/digits/digits.onnx
w=$3
rm -rf "$w"
mkdir -p "$w" || exit 2

fail() { echo "report_test: FAIL: $*" >&2; exit 1; }

"$scnnc" "$model" -o "$w/text.c" --report "$w/report.txt" || fail "scnnc --report (text) failed"
grep -q '^ *# *layer *op *kernel .*MACs' "$w/report.txt" || fail "text report: no header line"
grep -Eq '^ *total: [0-9]+ layers? .*[0-9]' "$w/report.txt" || fail "text report: no totals line"

"$scnnc" "$model" -o "$w/json.c" --prune 0.5 --report "$w/report.json" --report-format json ||
    fail "scnnc --report --report-format json failed"
"$scnnc" "$model" -o "$w/json2.c" --prune 0.5 --report "$w/report2.json" --report-format json ||
    fail "second scnnc --report-format json failed"
cmp -s "$w/report.json" "$w/report2.json" || fail "JSON report differs between two runs"

python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$w/report.json" ||
    fail "report.json is not valid JSON"

# Keys, sums and sparsity of a report; prints the problem and exits 1.
check_json='
import json, sys
r = json.load(open(sys.argv[1]))
def need(obj, keys, what):
    for k in keys:
        if k not in obj:
            sys.exit("%s: no key %r" % (what, k))
need(r, ["model", "layers", "totals"], "report")
layer_keys = ["index", "name", "op", "kernel", "inputs", "outputs", "dense_macs",
              "effective_macs", "weight_count", "weight_nonzeros", "sparsity",
              "code_bytes", "weight_bytes", "arena_bytes"]
sums = ["dense_macs", "effective_macs", "weight_count", "weight_nonzeros",
        "code_bytes", "weight_bytes"]
total = dict.fromkeys(sums, 0)
for l in r["layers"]:
    need(l, layer_keys, "layer %s" % l.get("name"))
    for k in sums:
        if not isinstance(l[k], int) or l[k] < 0:
            sys.exit("layer %s: %s is not a count" % (l["name"], k))
        total[k] += l[k]
    if l["weight_nonzeros"] > l["weight_count"]:
        sys.exit("layer %s: more nonzeros than weights" % l["name"])
    if l["effective_macs"] > l["dense_macs"]:
        sys.exit("layer %s: effective MACs above dense" % l["name"])
    if l["weight_count"] == 0:
        if l["sparsity"] is not None:
            sys.exit("layer %s: sparsity without weights" % l["name"])
    elif abs(l["sparsity"] - (1 - l["weight_nonzeros"] / l["weight_count"])) > 1e-6:
        sys.exit("layer %s: sparsity disagrees with the counts" % l["name"])
t = r["totals"]
need(t, ["layers", "sparsity", "weights_stored_bytes", "arena_peak_bytes"] + sums, "totals")
if t["layers"] != len(r["layers"]) or not r["layers"]:
    sys.exit("totals: %s layers, %d listed" % (t["layers"], len(r["layers"])))
for k in sums:
    if t[k] != total[k]:
        sys.exit("totals: %s is %s, the layers sum to %s" % (k, t[k], total[k]))
if t["dense_macs"] <= 0:
    sys.exit("totals: no MACs counted")
'
python3 -c "$check_json" "$w/report.json" || fail "report.json: wrong content"

# Hostile names: only when a python3 has the onnx package to build the
# model (Debian's python3-onnx may be in /usr/bin while another python3
# comes first on PATH).
onnx_python=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import onnx' 2>/dev/null; then
        onnx_python=$p
        break
    fi
done
if [ -n "$onnx_python" ]; then
    "$onnx_python" - "$w/names.onnx" <<'PY' || fail "cannot build the test model"
import sys
from onnx import TensorProto, helper
name = 'mm "quoted" back\\slash\ttab\nline\x01ctl\x7f caf\u00e9'
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
w = helper.make_tensor("w", TensorProto.FLOAT, [4, 4], [0, 1, 0, 2] * 4)
nodes = [helper.make_node("MatMul", ["x", "w"], ["t"], name=name),
         helper.make_node("Relu", ["t"], ["y"], name="relu")]
g = helper.make_graph(nodes, 'g"\\\n', [x], [y], [w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
open(sys.argv[1], "wb").write(m.SerializeToString())
PY
    "$scnnc" "$w/names.onnx" -o "$w/names.c" --report "$w/names.json" --report-format json ||
        fail "scnnc --report on hostile names failed"
    python3 -c "$check_json" "$w/names.json" || fail "names.json: wrong content"
    python3 - "$w/names.json" <<'PY' || fail "names.json: names not kept"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["model"] == 'g"\\\n', r["model"]
assert r["layers"][0]["name"] == 'mm "quoted" back\\slash\ttab\nline\x01ctl\x7f caf\u00e9'
PY
    "$scnnc" "$w/names.onnx" -o "$w/names.c" --report "$w/names.txt" ||
        fail "scnnc --report (text) on hostile names failed"
    grep -q 'mm "quoted" back\\slash?tab?line?ctl? caf' "$w/names.txt" ||
        fail "names.txt: the name is not shown with '?' for control characters"
fi

# A report that cannot be written fails the compilation, leaving no C.
"$scnnc" "$model" -o "$w/unwritten.c" --report "$w/no/such/dir/report.txt" 2>/dev/null
status=$?
[ "$status" -eq 2 ] || fail "unwritable report: exit status $status, not 2"
[ ! -e "$w/unwritten.c" ] || fail "unwritable report: the C file was written"

echo "report_test: ok"
