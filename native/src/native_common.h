/*
 * Argument and error helpers shared by the addon's C files (keepalived_native.c,
 * stream_calls.c). Each failing helper has already thrown the JS error when it returns false.
 */
#ifndef KEEPALIVED_NATIVE_COMMON_H
#define KEEPALIVED_NATIVE_COMMON_H

#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define MAX_ARGS 6

napi_value throw_errno(napi_env env, int err, const char *syscall);
bool get_args(napi_env env, napi_callback_info info, napi_value *argv, void **data);
bool arg_int(napi_env env, napi_value value, const char *syscall, int32_t *out);
bool is_nullish(napi_env env, napi_value value);
bool arg_bytes(napi_env env, napi_value value, const char *syscall, bool optional, void **data, size_t *length);
bool arg_sockaddr(napi_env env, napi_value value, const char *syscall, bool optional,
                  struct sockaddr_storage *storage, socklen_t *length);
napi_value int_value(napi_env env, int32_t number);
napi_value undefined_value(napi_env env);

/* stream_calls.c: non-blocking TCP and a private epoll set (see the file's comment). */
napi_value js_connect_start(napi_env env, napi_callback_info info);
napi_value js_send(napi_env env, napi_callback_info info);
napi_value js_recv(napi_env env, napi_callback_info info);
napi_value js_epoll_create(napi_env env, napi_callback_info info);
napi_value js_epoll_ctl(napi_env env, napi_callback_info info);
napi_value js_epoll_wait_into(napi_env env, napi_callback_info info);

/* process_calls.c: timerfd and scheduling of the VRRP process (see the file's comment). */
napi_value js_timerfd_create(napi_env env, napi_callback_info info);
napi_value js_timerfd_set(napi_env env, napi_callback_info info);
napi_value js_timerfd_read(napi_env env, napi_callback_info info);
napi_value js_sched_set_scheduler(napi_env env, napi_callback_info info);
napi_value js_set_priority(napi_env env, napi_callback_info info);
napi_value js_sched_set_affinity(napi_env env, napi_callback_info info);
napi_value js_set_rlimit_rttime(napi_env env, napi_callback_info info);

#endif
