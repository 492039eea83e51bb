#!/usr/bin/env bash
# Reproduces the pattern-mine accuracy table on Loghub-2k (10 systems, corrected labels):
# builds `pipeline` (Release), pipes each system's Content column through
# `pipeline patterns mine --final` (the one generic configuration, no per-system settings) and
# scores GA / FGA / PA with the shared evaluate.py. Then prints the averages of the two 5-system
# halves used for the generalisation check.
#
# usage: src/Blocks/PatternMine/evaluate-loghub.sh [PRED_DIR]
# env:   LOGHUB_DIR (default ../shared/data/loghub from the repository root)
#        EVALUATE_PY (default ../shared/bench/patterns/evaluate.py)
#        NO_BUILD=1 to use the existing build
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
LOGHUB_DIR="${LOGHUB_DIR:-$ROOT/../shared/data/loghub}"
EVALUATE_PY="${EVALUATE_PY:-$ROOT/../shared/bench/patterns/evaluate.py}"
PRED_DIR="${1:-$(mktemp -d /tmp/pattern-pred.XXXXXX)}"
PIPELINE="$ROOT/src/Ingest/bin/Release/net10.0/pipeline.dll"
SYSTEMS=(HDFS Hadoop Spark Zookeeper BGL HPC Linux HealthApp Proxifier OpenStack)
HALF_A=HDFS,Hadoop,Spark,Zookeeper,BGL
HALF_B=HPC,Linux,HealthApp,Proxifier,OpenStack

if [[ "${NO_BUILD:-0}" != 1 ]]; then
  dotnet build "$ROOT/src/Ingest" -c Release -v quiet -nologo >/dev/null
fi
mkdir -p "$PRED_DIR"

for s in "${SYSTEMS[@]}"; do
  python3 -c "import csv,sys; [print(r['Content']) for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8'))]" \
    "$LOGHUB_DIR/$s/${s}_2k.log_structured_corrected.csv" \
    | dotnet "$PIPELINE" patterns mine --final > "$PRED_DIR/$s.tsv"
done

echo "== all ten systems (predictions in $PRED_DIR)"
python3 "$EVALUATE_PY" "$LOGHUB_DIR" "$(IFS=,; echo "${SYSTEMS[*]}")" "$PRED_DIR"
echo "== half A: $HALF_A"
python3 "$EVALUATE_PY" "$LOGHUB_DIR" "$HALF_A" "$PRED_DIR" | tail -1
echo "== half B: $HALF_B"
python3 "$EVALUATE_PY" "$LOGHUB_DIR" "$HALF_B" "$PRED_DIR" | tail -1
