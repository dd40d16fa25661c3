# keel_schema_bench: the validation cost per event (tests/bench/schema_bench.cc).
# Not part of the default build: pass -DCMAKE_PROJECT_INCLUDE=<this file> when
# configuring, or include() it from tests/bench/CMakeLists.txt.
find_package(benchmark REQUIRED)
add_executable(keel_schema_bench ${CMAKE_CURRENT_LIST_DIR}/schema_bench.cc)
target_link_libraries(keel_schema_bench PRIVATE keel_engine benchmark::benchmark)
