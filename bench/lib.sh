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

# Stages 10 changes in a repository laid out like the benchmarks' synthetic ones (services/
# svc_000/pkg_00/sub_N/module_NN.py): 7 edited modules and 3 bytecode files, two of them in a
# __pycache__ folder (added with -f: the .gitignore ignores them).
stage_ten_changes() { # $1 = the repository
    local repo=$1 n folder=services/svc_000/pkg_00
    for n in 0 1 2 3 4 5 6; do echo "# change $n" >>"$repo/$folder/sub_0/module_0$n.py"; done
    mkdir -p "$repo/$folder/sub_1/__pycache__"
    printf 'bytecode' >"$repo/$folder/sub_1/__pycache__/module_00.cpython-312.pyc"
    printf 'bytecode' >"$repo/$folder/sub_1/__pycache__/module_01.cpython-312.pyc"
    printf 'bytecode' >"$repo/$folder/sub_2/legacy.pyc"
    git -C "$repo" add -A
    git -C "$repo" add -f "$folder/sub_1/__pycache__" "$folder/sub_2/legacy.pyc"
}
