# deployctl_library(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...] [TESTS ...])
# One static library for one folder. DEPS are the deployctl libraries (and
# third-party targets) its headers expose; PRIVATE_DEPS are used by its .cc
# files only, so they do not leak upward (only remote/ssh links libssh, only
# db links libpq). TESTS are the folder's *_test.cc files, built into
# unit_tests.
function(deployctl_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS;TESTS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  if(ARG_TESTS)
    target_sources(unit_tests PRIVATE ${ARG_TESTS})
    target_link_libraries(unit_tests PRIVATE ${name} ${ARG_PRIVATE_DEPS})
  endif()
endfunction()

