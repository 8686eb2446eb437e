# Generates build_info.cc at every build (cheap; rewritten only when the content changes) so the
# binary always reports the git revision and dirty state it was built from.
set(INFERMARK_BUILD_INFO_CC "${CMAKE_BINARY_DIR}/generated/build_info.cc")
add_custom_target(infermark_build_info_gen
  COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${INFERMARK_BUILD_INFO_CC}
          -DVERSION=${PROJECT_VERSION} -P "${PROJECT_SOURCE_DIR}/cmake/build_info_gen.cmake"
  BYPRODUCTS "${INFERMARK_BUILD_INFO_CC}"
  COMMENT "" VERBATIM)
