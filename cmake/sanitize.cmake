# WF_SANITIZE: everything built with AddressSanitizer and UndefinedBehaviorSanitizer; any report
# ends the program (-fno-sanitize-recover), so a test that trips one fails.
#
# WF_FUZZ (clang): the same, plus libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link)
# on every library, so one build both runs the tests under the sanitizers and hosts the fuzz
# targets of tests/fuzz (linked with -fsanitize=fuzzer, which brings libFuzzer's main). The other
# executables link without libFuzzer: the sanitizer runtime has weak no-op definitions of the
# coverage callbacks.
if(WF_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WF_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(WF_SANITIZE ON CACHE BOOL "" FORCE)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(WF_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_compile_options(-fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sanitize-ignore.txt)
  endif()
endif()
