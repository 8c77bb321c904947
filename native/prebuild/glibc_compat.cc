// Linked only into Linux prebuilds (cmake/prebuild.cmake). The static
// libstdc++ comes from a GCC built on a newer glibc, and some of its objects
// read __libc_single_threaded (glibc 2.32+) to skip atomic reference counts in
// single-threaded processes. This private copy says "not single-threaded", so
// libstdc++ always uses atomics: what glibc would answer inside Node anyway
// (V8 starts its worker threads first), and the addon loads on glibc 2.28.
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}
