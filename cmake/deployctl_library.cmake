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
  deployctl_use_pch(${name})
  if(ARG_TESTS)
    target_sources(unit_tests PRIVATE ${ARG_TESTS})
    target_link_libraries(unit_tests PRIVATE ${name} ${ARG_PRIVATE_DEPS})
  endif()
endfunction()

# The heavy headers almost every file parses (nlohmann/json through Value,
# the standard library), compiled once per build instead of once per file.
set(DEPLOYCTL_PCH_HEADERS
  <nlohmann/json.hpp> <string> <string_view> <vector> <map> <set> <optional>
  <memory> <functional> <filesystem> <stdexcept> <algorithm> <sstream>)

add_library(deployctl_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch.cc)
target_link_libraries(deployctl_pch PRIVATE nlohmann_json::nlohmann_json)
target_precompile_headers(deployctl_pch PRIVATE ${DEPLOYCTL_PCH_HEADERS})

function(deployctl_use_pch target)
  target_precompile_headers(${target} REUSE_FROM deployctl_pch)
endfunction()

# Unit tests also parse catch.hpp (17k lines) in every file.
add_library(deployctl_test_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch.cc)
target_link_libraries(deployctl_test_pch PRIVATE nlohmann_json::nlohmann_json Catch2::Catch2)
target_precompile_headers(deployctl_test_pch PRIVATE ${DEPLOYCTL_PCH_HEADERS} <catch2/catch.hpp>)

function(deployctl_use_test_pch target)
  target_precompile_headers(${target} REUSE_FROM deployctl_test_pch)
endfunction()
