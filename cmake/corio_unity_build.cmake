# Instrumented trees (sanitizers, fuzzing) build as unity builds (scripts/build
# makes build/ one too, with -DCMAKE_UNITY_BUILD=ON): each target
# compiles as a few large translation units, so the Asio and Beast headers and
# their instantiations are compiled a few times per target rather than once per
# source file. That halves the build time, which CI's budget needs. Sources
# keep the names in their anonymous namespaces distinct within a target for it.
if(NOT DEFINED CMAKE_UNITY_BUILD)
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE 8)
endif()
