# SPDX-License-Identifier: GPL-3.0-or-later
# Embeds runtime/*.{c,h} and runtime/example/main.c into dw_core, so `dendrite export` can ship
# the exact runtime the app was built with (installed binaries have no source tree).
file(GLOB _dw_embed_inputs CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/runtime/*.c ${CMAKE_SOURCE_DIR}/runtime/*.h
     ${CMAKE_SOURCE_DIR}/runtime/example/*.c)
set(_dw_embed_out ${CMAKE_CURRENT_BINARY_DIR}/dw_runtime_embedded.cpp)
string(REPLACE ";" "|" _dw_embed_list "${_dw_embed_inputs}")
add_custom_command(OUTPUT ${_dw_embed_out}
  COMMAND ${CMAKE_COMMAND} -DDW_EMBED_OUT=${_dw_embed_out} "-DDW_EMBED_FILES=${_dw_embed_list}"
          -P ${CMAKE_SOURCE_DIR}/cmake/dw_embed_files.cmake
  DEPENDS ${_dw_embed_inputs} ${CMAKE_SOURCE_DIR}/cmake/dw_embed_files.cmake
  COMMENT "Embedding the C runtime sources for the exporter" VERBATIM)
target_sources(dw_core PRIVATE ${_dw_embed_out})
set_source_files_properties(${_dw_embed_out} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
