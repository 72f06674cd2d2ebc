# Shared by the benchmarks (source it): the release build they all use, and `sb` for the command
# that `tests/sandbox/sandbox ... with` runs.
#  - on the host:  bench_top, bench_build_dir; bench_build installs the dependencies and builds
#  - inside 'with' (ORCHD_BUILD_DIR set by the sandbox): sb CMD... runs CMD inside the sandbox

bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_build_dir=$bench_top/build-bench

# A release build in build-bench/, without the tests.
bench_build() {
        "$bench_top/scripts/install-deps.sh"
        [ -f "$bench_build_dir/build.ninja" ] \
                || meson setup "$bench_build_dir" --buildtype=release -Dtests=false > /dev/null
        ninja -C "$bench_build_dir" > /dev/null
}

sb() { "$bench_top/tests/sandbox/sandbox" --build "$ORCHD_BUILD_DIR" exec "$@"; }
