{
  "targets": [
    {
      "target_name": "keepalived_native",
      "sources": ["src/keepalived_native.c", "src/stream_calls.c", "src/process_calls.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"]
    }
  ]
}
