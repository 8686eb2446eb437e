# MLPerf's official LoadGen (mlcommons/inference, folder loadgen/), an optional dependency: a
# result submitted to MLPerf must come from it, and `infermark run --loadgen official` drives it.
# The repository holds no copy of it; a user builds it (docs/submission.md) and points
# MLPERF_LOADGEN_ROOT (cache variable or environment) at either
#   - an install prefix: include/loadgen.h ... and lib/libmlperf_loadgen.a (cmake --install), or
#   - the loadgen/ source folder with libmlperf_loadgen.a copied into it or in its build/ folder.
#
# INFERMARK_OFFICIAL_LOADGEN: auto (use it when found), ON (fail when not found), OFF (never).
# Defines, when found, the imported target mlperf::loadgen and INFERMARK_HAVE_OFFICIAL_LOADGEN;
# INFERMARK_OFFICIAL_REQUIRED when ON (the `official` tests then fail, not skip, on anything of
# MLPerf's they miss).
set(INFERMARK_OFFICIAL_LOADGEN "auto" CACHE STRING
    "Link MLPerf's official LoadGen for --loadgen official: auto, ON or OFF")
set_property(CACHE INFERMARK_OFFICIAL_LOADGEN PROPERTY STRINGS auto ON OFF)
set(MLPERF_LOADGEN_ROOT "$ENV{MLPERF_LOADGEN_ROOT}" CACHE PATH
    "A built official LoadGen: its headers (loadgen.h) and libmlperf_loadgen")

# For the tests labelled `official` that run MLPerf's scripts (TEST06's run_verification.py, the
# submission checker): a checkout of mlcommons/inference. Optional; never used by the product.
set(MLPERF_INFERENCE_DIR "$ENV{MLPERF_INFERENCE_DIR}" CACHE PATH
    "A checkout of mlcommons/inference, for the tests that run MLPerf's own scripts")

set(INFERMARK_HAVE_OFFICIAL_LOADGEN OFF)
string(TOUPPER "${INFERMARK_OFFICIAL_LOADGEN}" _official_mode)
set(INFERMARK_OFFICIAL_REQUIRED OFF)
if(_official_mode STREQUAL "ON")
  set(INFERMARK_OFFICIAL_REQUIRED ON)
endif()
if(NOT _official_mode MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "INFERMARK_OFFICIAL_LOADGEN must be auto, ON or OFF, not "
                      "'${INFERMARK_OFFICIAL_LOADGEN}'")
endif()

if(NOT _official_mode STREQUAL "OFF")
  # A new root means a new search (find_* keep what they found in the cache).
  if(NOT "${MLPERF_LOADGEN_ROOT}" STREQUAL "${_INFERMARK_LOADGEN_ROOT_SEARCHED}")
    unset(MLPERF_LOADGEN_INCLUDE_DIR CACHE)
    unset(MLPERF_LOADGEN_LIBRARY CACHE)
    set(_INFERMARK_LOADGEN_ROOT_SEARCHED "${MLPERF_LOADGEN_ROOT}" CACHE INTERNAL "")
  endif()
  # query_sample_library.h beside loadgen.h tells LoadGen's headers from any other loadgen.h.
  find_path(MLPERF_LOADGEN_INCLUDE_DIR NAMES loadgen.h query_sample_library.h
            HINTS "${MLPERF_LOADGEN_ROOT}" PATH_SUFFIXES include include/loadgen loadgen)
  find_library(MLPERF_LOADGEN_LIBRARY NAMES mlperf_loadgen
               HINTS "${MLPERF_LOADGEN_ROOT}" PATH_SUFFIXES lib build loadgen loadgen/build)
  if(MLPERF_LOADGEN_INCLUDE_DIR AND MLPERF_LOADGEN_LIBRARY AND
     EXISTS "${MLPERF_LOADGEN_INCLUDE_DIR}/query_sample_library.h")
    set(INFERMARK_HAVE_OFFICIAL_LOADGEN ON)
    add_library(mlperf::loadgen UNKNOWN IMPORTED)
    set_target_properties(mlperf::loadgen PROPERTIES
      IMPORTED_LOCATION "${MLPERF_LOADGEN_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MLPERF_LOADGEN_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES Threads::Threads)
    message(STATUS "Official MLPerf LoadGen: ${MLPERF_LOADGEN_LIBRARY} "
                   "(headers ${MLPERF_LOADGEN_INCLUDE_DIR})")
  elseif(_official_mode STREQUAL "ON")
    message(FATAL_ERROR
      "INFERMARK_OFFICIAL_LOADGEN=ON but the official LoadGen was not found (MLPERF_LOADGEN_ROOT="
      "'${MLPERF_LOADGEN_ROOT}'): it needs loadgen.h and query_sample_library.h, and "
      "libmlperf_loadgen. Build it from mlcommons/inference's loadgen/ folder as "
      "docs/submission.md describes, or configure with INFERMARK_OFFICIAL_LOADGEN=auto|OFF.")
  else()
    message(STATUS "Official MLPerf LoadGen: not found (set MLPERF_LOADGEN_ROOT to use it); "
                   "--loadgen official will be unavailable")
  endif()
endif()
