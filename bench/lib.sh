# Helpers shared by the benchmark scripts (sourced, not run). They need $WORK, a scratch folder.

peak_kib() { # the largest max RSS (KiB) of three runs of "$@"
    local peak=0 rss
    for _ in 1 2 3; do
        /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>&1 || true
        rss=$(tail -n1 "$WORK/rss")
        [ "$rss" -gt "$peak" ] && peak=$rss
    done
    echo "$peak"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
num() { awk -v a="$1" 'BEGIN { printf (a < 10 ? "%.2f" : "%.1f"), a }'; }
