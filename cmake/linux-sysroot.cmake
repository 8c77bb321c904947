# CMake toolchain: a Linux build with this machine's GCC (native or Debian's
# cross compiler) against an older Debian userland, so that the binary needs
# only that userland's glibc. Set POOLMEM_TARGET_TRIPLE (x86_64-linux-gnu,
# aarch64-linux-gnu) and POOLMEM_SYSROOT (made by scripts/prebuild-root.sh).
#
# C and kernel headers and libc come from the sysroot only; the C++ headers and
# libstdc++/libgcc (linked statically) come from the compiler. A Debian cross
# compiler also searches its own /usr/<triple>/{include,lib}, which hold the
# host's newer glibc: -nostdinc and leading -L keep those out.
if(NOT POOLMEM_TARGET_TRIPLE OR NOT POOLMEM_SYSROOT)
  message(FATAL_ERROR "linux-sysroot.cmake needs -DPOOLMEM_TARGET_TRIPLE=... and -DPOOLMEM_SYSROOT=...")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES POOLMEM_TARGET_TRIPLE POOLMEM_SYSROOT)

set(CMAKE_SYSTEM_NAME Linux)
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR "${POOLMEM_TARGET_TRIPLE}")
set(CMAKE_C_COMPILER ${POOLMEM_TARGET_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${POOLMEM_TARGET_TRIPLE}-g++)
set(CMAKE_SYSROOT ${POOLMEM_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${POOLMEM_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# The compiler's own C++ and builtin header folders, in its search order.
execute_process(
  COMMAND ${CMAKE_CXX_COMPILER} -x c++ -E -v -
  INPUT_FILE /dev/null OUTPUT_QUIET ERROR_VARIABLE _poolmem_search
  COMMAND_ERROR_IS_FATAL ANY)
string(REGEX REPLACE ".*#include <...> search starts here:\n(.*)End of search list.*" "\\1" _poolmem_search "${_poolmem_search}")
string(REPLACE "\n" ";" _poolmem_search "${_poolmem_search}")
execute_process(
  COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=include
  OUTPUT_VARIABLE _poolmem_gcc_include OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
get_filename_component(_poolmem_gcc_include "${_poolmem_gcc_include}" REALPATH)
set(_poolmem_flags "-nostdinc")
foreach(_dir IN LISTS _poolmem_search)
  string(STRIP "${_dir}" _dir)
  get_filename_component(_real "${_dir}" REALPATH)
  if(_real MATCHES "/c\\+\\+/" OR _real STREQUAL _poolmem_gcc_include)
    string(APPEND _poolmem_flags " -isystem ${_real}")
  endif()
endforeach()
string(APPEND _poolmem_flags
  " -isystem ${POOLMEM_SYSROOT}/usr/include/${POOLMEM_TARGET_TRIPLE} -isystem ${POOLMEM_SYSROOT}/usr/include")
# Appended, not *_INIT: cmake-js passes its own CMAKE_CXX_FLAGS, which would
# make CMake ignore the _INIT values.
if(NOT CMAKE_CXX_FLAGS MATCHES "-nostdinc")
  set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} ${_poolmem_flags}")
  set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${_poolmem_flags}")
endif()

set(_poolmem_link "-L${POOLMEM_SYSROOT}/usr/lib/${POOLMEM_TARGET_TRIPLE} -L${POOLMEM_SYSROOT}/lib/${POOLMEM_TARGET_TRIPLE}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_poolmem_link}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${_poolmem_link}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_poolmem_link}")
