# Compile time of 1000 instrumented one-line functions (rebuild of the crate only, debug or release),
# Compile time of 1000 instrumented one-line functions (debug rebuild of the crate only),
# acm-trace against no attribute, tracing and fastrace; and the expansion size of a one-line
# function. Results and how to read them: README.md next to this script.
#
#   measure.sh [--runs N] [--passes P] [--fns F] [--incremental 0|1] [--release]
#              [--hyperfine] [--no-expand] [--no-time]
#
#   --runs N         timed rebuilds per crate and pass (default 5)
#   --passes P       passes over the four crates (default 2; even passes run in reverse order)
#   --fns F          functions per crate (default 1000)
#   --incremental    CARGO_INCREMENTAL for the timed builds (default 1, cargo's debug default;
#                    0 with --release, cargo's release default)
#   --release        time release builds (`cargo build --release`) instead of debug ones
#   --hyperfine      also time each crate with hyperfine (not interleaved: a cross-check)
#   --no-expand      skip the expansion sizes
#   --no-time        skip the timings
#
# Everything generated goes under <workspace>/target/compile-time/ (never committed):
# the crates plain/ acm/ tracing/ fastrace/ (each its own [workspace]), expand/<crate>/, one
# shared target/ (dependencies build once), and results-*.tsv with every timed run.
set -euo pipefail

runs=5 passes=2 fns=1000 incremental= release=0 hyperfine=0 expand=1 timing=1
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --passes) passes=$2; shift 2 ;;
        --fns) fns=$2; shift 2 ;;
        --incremental) incremental=$2; shift 2 ;;
        --release) release=1; shift ;;
        --hyperfine) hyperfine=1; shift ;;
        --no-expand) expand=0; shift ;;
        --no-time) timing=0; shift ;;
        *) sed -n '2,17p' "$0" >&2; exit 2 ;;
    esac
done
[[ -n $incremental ]] || incremental=$((release ? 0 : 1))
profile=() profile_name=debug
if ((release)); then profile=(--release) profile_name=release; fi

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd) # the workspace: acm-trace/benches/compile-time/../../..
out=$root/target/compile-time
target=$out/target
variants=(plain acm tracing fastrace)
export CARGO_TERM_COLOR=never
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR

# crates; acm-trace by a path relative to each crate (target/compile-time/<crate>)
"$here/generate.sh" "$out" ../../../acm-trace "$fns"
for v in "${variants[@]}"; do
    for dir in "$out/$v" "$out/expand/$v"; do
        # the workspace's lock as a seed: the same versions of shared dependencies
        [[ -f $dir/Cargo.lock ]] || cp "$root/Cargo.lock" "$dir/Cargo.lock"
    done
done

build() { # build CRATE_DIR [cargo args]: the crate (and, the first time, its dependencies)
    local dir=$1
    shift
    cargo build --quiet --manifest-path "$dir/Cargo.toml" --target-dir "$target" ${profile[@]+"${profile[@]}"} "$@"
}

now() { date +%s.%N; }

# timed CRATE_DIR: prints "wall cpu" in seconds; cpu = user + system of cargo and rustc (less
# disturbed than wall time by other work on the machine), from GNU time when it is installed
timed() {
    local t0 t1 cpu=NA
    t0=$(now)
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f '%U %S' -o "$out/.time" \
            cargo build --quiet --offline --manifest-path "$1/Cargo.toml" --target-dir "$target" \
                ${profile[@]+"${profile[@]}"} || return
        cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$out/.time")
    else
        build "$1" --offline || return
    fi
    t1=$(now)
    awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { printf "%.3f %s\n", b - a, c }'
}

median() { # the median of the numbers on stdin
    sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
col() { # col CRATE COLUMN [PASS]: one column of the crate's runs
    awk -F'\t' -v v="$1" -v c="$2" -v p="${3:-}" \
        'NR > 1 && $3 == v && (p == "" || $1 == p) { print $c }' "$results"
}
med() { col "$@" | median; } # med CRATE COLUMN [PASS]
attribute_name() { # attribute_name CRATE: the attribute as -Zmacro-stats names it
    case $1 in
        acm) echo '#[acm_trace::acm_span]' ;;
        tracing) echo '#[tracing::instrument]' ;;
        fastrace) echo '#[fastrace::trace]' ;;
    esac
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
paired() { # paired A B: the median, min and max of A/B over the runs (same pass and run)
    awk -F'\t' -v a="$1" -v b="$2" 'NR > 1 { t[$1 " " $2 " " $3] = $4 }
        END { for (k in t) { split(k, f, " "); if (f[3] == a) print t[k] / t[f[1] " " f[2] " " b] } }' \
        "$results" | sort -g | awk '{ r[NR] = $1 } END {
            m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
            printf "%.2f (%.2f-%.2f)", m, r[1], r[NR] }'
}

if ((timing)); then
    echo "== rustc: $(rustc --version); cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== $fns fns per crate, $profile_name, CARGO_INCREMENTAL=$incremental, $passes passes x $runs runs"
    export CARGO_INCREMENTAL=$incremental

    echo "== dependencies, and one untimed rebuild per crate (warm-up)"
    for v in "${variants[@]}"; do
        build "$out/$v"
        touch "$out/$v/src/lib.rs"
        build "$out/$v" --offline
    done

    results=$out/results-$(date +%Y%m%d-%H%M%S)-$profile_name-inc$incremental.tsv
    printf 'pass\trun\tcrate\twall\tcpu\n' >"$results"
    echo "== timed rebuilds (touch src/lib.rs; cargo build), interleaved: every run visits all four"
    for ((p = 1; p <= passes; p++)); do
        order=("${variants[@]}")
        if ((p % 2 == 0)); then order=(fastrace tracing acm plain); fi
        for ((r = 1; r <= runs; r++)); do
            line="pass $p run $r:"
            for v in "${order[@]}"; do
                touch "$out/$v/src/lib.rs"
                res=$(timed "$out/$v")
                read -r wall cpu <<<"$res"
                printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$r" "$v" "$wall" "$cpu" >>"$results"
                line+=" $v $wall"
            done
            echo "$line"
        done
    done
    echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg); every run: ${results#"$root"/}"

    declare -A m c
    for v in "${variants[@]}"; do m[$v]=$(med "$v" 4) c[$v]=$(med "$v" 5); done
    echo
    echo "| crate | median wall (s) | per pass | median CPU (s) | / plain | / tracing | / fastrace |"
    echo "|---|---|---|---|---|---|---|"
    for v in "${variants[@]}"; do
        per=()
        for ((p = 1; p <= passes; p++)); do per+=("$(printf '%.2f' "$(med "$v" 4 "$p")")"); done
        cpu=${c[$v]}
        [[ $cpu == NA || -z $cpu ]] || cpu=$(printf '%.2f' "$cpu")
        printf '| %s | %.2f | %s | %s | %s | %s | %s |\n' "$v" "${m[$v]}" "${per[*]}" "$cpu" \
            "$(ratio "${m[$v]}" "${m[plain]}")" "$(ratio "${m[$v]}" "${m[tracing]}")" \
            "$(ratio "${m[$v]}" "${m[fastrace]}")"
    done
    echo
    echo "wall-time ratios paired within each run, median (min-max) over $((passes * runs)) runs:"
    echo "  acm/tracing $(paired acm tracing)   acm/fastrace $(paired acm fastrace)   acm/plain $(paired acm plain)"
    printf 'instrumentation cost over plain, per 1000 fns (wall): acm %.2f s, tracing %.2f s, fastrace %.2f s\n' \
        "$(awk -v a="${m[acm]}" -v b="${m[plain]}" -v n="$fns" 'BEGIN { print (a - b) * 1000 / n }')" \
        "$(awk -v a="${m[tracing]}" -v b="${m[plain]}" -v n="$fns" 'BEGIN { print (a - b) * 1000 / n }')" \
        "$(awk -v a="${m[fastrace]}" -v b="${m[plain]}" -v n="$fns" 'BEGIN { print (a - b) * 1000 / n }')"

    # What every build of the crate costs before rustc does any work: cargo loading the
    # dependency graph (acm-trace's default features pull in the OTLP transports) and
    # checking fingerprints. Timed as builds with nothing to do, interleaved as above.
    echo
    echo "== no-op builds (nothing touched), $runs runs each, interleaved"
    noop=$out/noop-$(date +%Y%m%d-%H%M%S)-$profile_name.tsv
    printf 'pass\trun\tcrate\twall\tcpu\n' >"$noop"
    for ((r = 1; r <= runs; r++)); do
        for v in "${variants[@]}"; do
            res=$(timed "$out/$v")
            read -r wall cpu <<<"$res"
            printf '1\t%s\t%s\t%s\t%s\n' "$r" "$v" "$wall" "$cpu" >>"$noop"
        done
    done
    rebuilds=$results results=$noop
    declare -A n
    for v in "${variants[@]}"; do n[$v]=$(med "$v" 4); done
    results=$rebuilds
    line="median no-op build (wall):"
    for v in "${variants[@]}"; do line+=" $v $(printf '%.2f' "${n[$v]}") s"; done
    echo "$line"
    echo "rebuild minus no-op build (wall), the crate's own compilation:"
    for v in acm tracing fastrace; do
        printf '  %s %.2f s' "$v" "$(awk -v a="${m[$v]}" -v b="${n[$v]}" 'BEGIN { print a - b }')"
    done
    printf '   acm/fastrace %s   acm/tracing %s\n' \
        "$(ratio "$(awk -v a="${m[acm]}" -v b="${n[acm]}" 'BEGIN { print a - b }')" \
            "$(awk -v a="${m[fastrace]}" -v b="${n[fastrace]}" 'BEGIN { print a - b }')")" \
        "$(ratio "$(awk -v a="${m[acm]}" -v b="${n[acm]}" 'BEGIN { print a - b }')" \
            "$(awk -v a="${m[tracing]}" -v b="${n[tracing]}" 'BEGIN { print a - b }')")"

    if ((hyperfine)); then
        if command -v hyperfine >/dev/null; then
            echo
            echo "== hyperfine cross-check (each crate's runs back to back, not interleaved)"
            cmds=()
            for v in "${variants[@]}"; do
                cmds+=(-n "$v" --prepare "touch '$out/$v/src/lib.rs'"
                    "cargo build --quiet --offline --manifest-path '$out/$v/Cargo.toml' --target-dir '$target' ${profile[*]-}")
            done
            hyperfine --style basic --warmup 1 --runs "$runs" --export-csv "$out/hyperfine.csv" "${cmds[@]}"
            awk -F, 'NR > 1 { printf "hyperfine median %s: %.2f s\n", $1, $4 }' "$out/hyperfine.csv"
        else
            echo "== hyperfine not installed: skipped"
        fi
    fi
fi

((expand)) || exit 0
echo
echo "== expansion of #[acm_span(\"fit.pca\")] fn f() -> u32 { 1 }: the macro's output token text"
(cd "$root" && cargo test --quiet -p acm-trace-macros --features enable --lib size_tests \
    -- --nocapture 2>&1) >"$out/size-test.txt" || { cat "$out/size-test.txt"; exit 1; }
grep 'one-line fn' "$out/size-test.txt"

if cargo +nightly --version >/dev/null 2>&1; then
    echo
    echo "== peers alike (nightly only), the one-line fn of expand/<crate>:"
    echo "   macro bytes: -Zmacro-stats, the output of every macro expansion summed (nested ones"
    echo "   too), and the attribute's own row; expanded: -Zunpretty=expanded, bytes more than the"
    echo "   same crate without attribute (pretty-printed; and without whitespace)"
    nightly() { # nightly CRATE RUSTC_FLAG: one nightly compile of expand/CRATE
        touch "$out/expand/$1/src/lib.rs"
        cargo +nightly rustc --quiet --lib --manifest-path "$out/expand/$1/Cargo.toml" \
            --target-dir "$out/target-nightly" -- "$2"
    }
    declare -A raw nows stats own
    for v in "${variants[@]}"; do
        file=$out/expand/$v.expanded.rs
        nightly "$v" -Zunpretty=expanded >"$file" 2>/dev/null
        raw[$v]=$(wc -c <"$file")
        nows[$v]=$(tr -d ' \t\n' <"$file" | wc -c)
        nightly "$v" -Zmacro-stats >"$out/expand/$v.macro-stats.txt" 2>&1
        # rows end in: Uses Lines AvgLines Bytes AvgBytes (a long name sits on the line above)
        stats[$v]=$(awk '/^macro-stats/ && $(NF-1) ~ /^[0-9_]+$/ && $NF ~ /^[0-9_.]+$/ {
            b = $(NF-1); gsub("_", "", b); s += b } END { print s + 0 }' "$out/expand/$v.macro-stats.txt")
        own[$v]=$(awk -v a="$(attribute_name "$v")" '/^macro-stats/ && index($0, a) {
            b = $(NF-1); gsub("_", "", b); print b + 0 }' "$out/expand/$v.macro-stats.txt")
    done
    echo "| crate | macro bytes, all | of which the attribute | expanded | without whitespace |"
    echo "|---|---|---|---|---|"
    for v in acm tracing fastrace; do
        echo "| $v | ${stats[$v]} | ${own[$v]} | $((raw[$v] - raw[plain])) | $((nows[$v] - nows[plain])) |"
    done
    echo "(outputs: ${out#"$root"/}/expand/*.expanded.rs, *.macro-stats.txt)"
else
    echo "== no nightly toolchain: the peers' expansion sizes are skipped"
fi
