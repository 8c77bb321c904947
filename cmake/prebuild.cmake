# What turns the addon into a file that loads on machines other than the one
# that built it (-DPOOLMEM_PREBUILD=ON, set by scripts/prebuild.mjs):
# - Linux: libstdc++ linked statically, so no GLIBCXX_/CXXABI_ version is
#   needed from the user's system, and its symbols kept private
#   (--exclude-libs) so they never interpose on the ones Node itself uses.
#   The unwinder stays in the system's libgcc_s.so.1 (old GCC_ versions
#   only): GCC 12's static one calls _dl_find_object, glibc 2.35+. See
#   native/prebuild/glibc_compat.cc for the one glibc symbol libstdc++ adds;
# - Windows: the static C runtime (/MT) comes from cmake-js itself;
# - everywhere: debug symbols stripped after linking.
function(poolmem_make_redistributable target)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_sources(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/native/prebuild/glibc_compat.cc)
    # --gc-sections also drops libstdc++'s std::random_device, pulled in by
    # its exception classes, and with it a reference to arc4random (2.36).
    target_link_options(${target} PRIVATE -static-libstdc++ -Wl,--exclude-libs,ALL -Wl,--as-needed -Wl,--gc-sections)
  endif()
  if(CMAKE_STRIP AND NOT MSVC)
    if(APPLE)
      set(strip_flags -x)  # local symbols only; the exported napi_register_module_v1 stays
    else()
      set(strip_flags --strip-unneeded)
    endif()
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${CMAKE_STRIP} ${strip_flags} $<TARGET_FILE:${target}>
      COMMENT "Stripping $<TARGET_FILE_NAME:${target}>")
  endif()
endfunction()
