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

# A fast-import stream: eight small blobs, then one commit of $1 paths laid out like a
# monorepo of Python services (20 files a folder, paths of about 60 bytes), with a root
# .gitignore that covers bytecode and one .gitignore per service.
fast_import_stream() {
    awk -v n="$1" 'BEGIN {
        split("import os\n|def test():\n    assert True\n|# Service\n|{}\n|int x;\n||__pycache__/\n*.py[cod]\n*$py.class\n|build/\n*.egg-info/\n", content, "|")
        for (b = 1; b <= 8; b++) printf "blob\nmark :%d\ndata %d\n%s\n", b, length(content[b]), content[b]
        printf "commit refs/heads/main\ncommitter Bench <bench@example.invalid> 1767225600 +0000\ndata 7\ninitial\n"
        printf "M 100644 :7 .gitignore\n"
        for (i = 0; i < n; i++) {
            p = int(i / 5000); q = int(i % 5000 / 100); r = int(i % 100 / 20); f = i % 20
            if (i % 5000 == 0) printf "M 100644 :8 services/svc_%03d/.gitignore\n", p
            dir = sprintf("services/svc_%03d/src/svc_%03d/pkg_%02d/sub_%d", p, p, q, r)
            if (f == 0) { name = "__init__.py"; mark = 6 }
            else if (f < 14) { name = sprintf("module_%02d.py", f); mark = 1 }
            else if (f < 17) { name = sprintf("test_module_%02d.py", f); mark = 2 }
            else if (f == 17) { name = "README.md"; mark = 3 }
            else if (f == 18) { name = "schema.json"; mark = 4 }
            else { name = "native.c"; mark = 5 }
            printf "M 100644 :%d %s/%s\n", mark, dir, name
        }
    }'
}

# $1 more commits on main, each changing one file; every 1,000th adds a bytecode file, and
# the one after deletes every other of them (history bloat that a later commit "fixed").
history_stream() {
    awk -v n="$1" 'BEGIN {
        for (c = 1; c <= n; c++) {
            printf "commit refs/heads/main\ncommitter Bench <bench@example.invalid> %d +0000\ndata 7\nchange\n", 1767225600 + c
            if (c == 1) printf "from refs/heads/main^0\n"
            printf "M 100644 inline services/svc_000/src/svc_000/pkg_%02d/sub_0/module_01.py\ndata %d\nv = %05d\n", c % 50, 10, c
            if (c % 1000 == 0) printf "M 100644 inline tools/generated_%02d.pyc\ndata 4\npyc\n", c / 1000
            if (c % 2000 == 1 && c > 1) printf "D tools/generated_%02d.pyc\n", (c - 1) / 1000
        }
    }'
}

# 10 staged changes: 4 modified and 3 new Python files, 3 new bytecode files.
stage_changes() {
    local base=services/svc_000/src/svc_000 blob
    blob=$(echo "changed" | git hash-object -w --stdin)
    {
        for i in 01 02 03 04; do printf '100644 %s\t%s/pkg_00/sub_0/module_%s.py\n' "$blob" "$base" "$i"; done
        for i in 1 2 3; do printf '100644 %s\t%s/pkg_01/sub_1/new_%s.py\n' "$blob" "$base" "$i"; done
        printf '100644 %s\t%s/pkg_00/sub_0/__pycache__/module_01.cpython-312.pyc\n' "$blob" "$base"
        printf '100644 %s\t%s/pkg_02/__pycache__/__init__.cpython-312.pyc\n' "$blob" "$base"
        printf '100644 %s\ttools/legacy_build.pyc\n' "$blob"
    } | git update-index --add --index-info
}
