/*
 * keepalived-ts native addon: thin, non-blocking system calls for raw, packet, netlink and unix
 * sockets, plus a libuv readable-poller. Nothing protocol-specific lives here: every address,
 * option value, message and control block is a byte buffer built and parsed in TypeScript.
 *
 * Misuse never aborts: each failure throws an Error whose `code` is the errno name ("EBADF"),
 * with `errno` (positive) and `syscall`. Wrong argument types are reported as EINVAL.
 */
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "native_common.h"

#define MAX_OPTION_BYTES 4096
#define MAX_CONTROL_BYTES 4096

typedef struct poller {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
  int fd;
  uint32_t id;
  struct poller *next;
} poller_t;

typedef struct {
  poller_t *pollers;
  uint32_t next_id;
} addon_state_t;

/* ---------------------------------------------------------------- errors and arguments */

napi_value throw_errno(napi_env env, int err, const char *syscall) {
  const char *name = strerrorname_np(err);
  char text[160];
  napi_value code, message, error, errno_value, syscall_value;
  if (name == NULL) name = "EUNKNOWN";
  snprintf(text, sizeof text, "%s %s (%s)", syscall, name, strerror(err));
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, err, &errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_throw(env, error);
  return NULL;
}

bool get_args(napi_env env, napi_callback_info info, napi_value *argv, void **data) {
  size_t argc = MAX_ARGS;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  for (size_t i = 0; i < MAX_ARGS; i++) argv[i] = undefined;
  return napi_get_cb_info(env, info, &argc, argv, NULL, data) == napi_ok;
}

bool arg_int(napi_env env, napi_value value, const char *syscall, int32_t *out) {
  napi_valuetype type;
  double number;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number ||
      napi_get_value_double(env, value, &number) != napi_ok || !(number >= INT32_MIN && number <= INT32_MAX) ||
      (double)(int32_t)number != number) {
    throw_errno(env, EINVAL, syscall);
    return false;
  }
  *out = (int32_t)number;
  return true;
}

bool is_nullish(napi_env env, napi_value value) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) == napi_ok && (type == napi_null || type == napi_undefined);
}

/* Accepts a Uint8Array (Buffer); with `optional`, null/undefined gives data NULL, length 0. */
bool arg_bytes(napi_env env, napi_value value, const char *syscall, bool optional, void **data, size_t *length) {
  bool typed = false;
  napi_typedarray_type type;
  napi_value array_buffer;
  size_t offset;
  *data = NULL;
  *length = 0;
  if (optional && is_nullish(env, value)) return true;
  if (napi_is_typedarray(env, value, &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, value, &type, length, data, &array_buffer, &offset) != napi_ok ||
      (type != napi_uint8_array && type != napi_uint8_clamped_array)) {
    throw_errno(env, EINVAL, syscall);
    return false;
  }
  return true;
}

bool arg_sockaddr(napi_env env, napi_value value, const char *syscall, bool optional,
                         struct sockaddr_storage *storage, socklen_t *length) {
  void *data;
  size_t size;
  if (!arg_bytes(env, value, syscall, optional, &data, &size)) return false;
  *length = 0;
  if (data == NULL) return true;
  if (size < sizeof(sa_family_t) || size > sizeof(*storage)) {
    throw_errno(env, EINVAL, syscall);
    return false;
  }
  memset(storage, 0, sizeof(*storage));
  memcpy(storage, data, size);
  *length = (socklen_t)size;
  return true;
}

napi_value int_value(napi_env env, int32_t number) {
  napi_value result;
  napi_create_int32(env, number, &result);
  return result;
}

napi_value undefined_value(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

/* ---------------------------------------------------------------- socket calls */

static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t domain, type, protocol;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "socket", &domain) ||
      !arg_int(env, argv[1], "socket", &type) || !arg_int(env, argv[2], "socket", &protocol))
    return NULL;
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return throw_errno(env, errno, "socket");
  return int_value(env, fd);
}

static napi_value address_call(napi_env env, napi_callback_info info, bool is_bind) {
  const char *syscall = is_bind ? "bind" : "connect";
  napi_value argv[MAX_ARGS];
  int32_t fd;
  struct sockaddr_storage address;
  socklen_t length;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], syscall, &fd) ||
      !arg_sockaddr(env, argv[1], syscall, false, &address, &length))
    return NULL;
  int rc;
  do {
    rc = is_bind ? bind(fd, (struct sockaddr *)&address, length) : connect(fd, (struct sockaddr *)&address, length);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return throw_errno(env, errno, syscall);
  return undefined_value(env);
}

static napi_value js_bind(napi_env env, napi_callback_info info) { return address_call(env, info, true); }
static napi_value js_connect(napi_env env, napi_callback_info info) { return address_call(env, info, false); }

static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd, level, name;
  void *data;
  size_t length;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "setsockopt", &fd) ||
      !arg_int(env, argv[1], "setsockopt", &level) || !arg_int(env, argv[2], "setsockopt", &name) ||
      !arg_bytes(env, argv[3], "setsockopt", false, &data, &length))
    return NULL;
  if (setsockopt(fd, level, name, data, (socklen_t)length) < 0) return throw_errno(env, errno, "setsockopt");
  return undefined_value(env);
}

static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result;
  int32_t fd, level, name, wanted;
  unsigned char value[MAX_OPTION_BYTES];
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "getsockopt", &fd) ||
      !arg_int(env, argv[1], "getsockopt", &level) || !arg_int(env, argv[2], "getsockopt", &name) ||
      !arg_int(env, argv[3], "getsockopt", &wanted))
    return NULL;
  if (wanted < 0 || wanted > MAX_OPTION_BYTES) return throw_errno(env, EINVAL, "getsockopt");
  socklen_t length = (socklen_t)wanted;
  memset(value, 0, (size_t)wanted);
  if (getsockopt(fd, level, name, value, &length) < 0) return throw_errno(env, errno, "getsockopt");
  if (length > (socklen_t)wanted) length = (socklen_t)wanted;
  napi_create_buffer_copy(env, length, value, NULL, &result);
  return result;
}

static napi_value js_getsockname(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result;
  int32_t fd;
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "getsockname", &fd)) return NULL;
  if (getsockname(fd, (struct sockaddr *)&address, &length) < 0) return throw_errno(env, errno, "getsockname");
  if (length > sizeof address) length = sizeof address;
  napi_create_buffer_copy(env, length, &address, NULL, &result);
  return result;
}

static napi_value js_sendmsg(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd, flags;
  struct sockaddr_storage address;
  socklen_t address_length;
  struct iovec iov;
  struct msghdr msg;
  void *control;
  size_t control_length;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "sendmsg", &fd) ||
      !arg_bytes(env, argv[1], "sendmsg", false, &iov.iov_base, &iov.iov_len) ||
      !arg_sockaddr(env, argv[2], "sendmsg", true, &address, &address_length) ||
      !arg_bytes(env, argv[3], "sendmsg", true, &control, &control_length) || !arg_int(env, argv[4], "sendmsg", &flags))
    return NULL;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = address_length ? &address : NULL;
  msg.msg_namelen = address_length;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_length ? control : NULL;
  msg.msg_controllen = control_length;
  ssize_t sent;
  do {
    sent = sendmsg(fd, &msg, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return throw_errno(env, errno, "sendmsg");
  return int_value(env, (int32_t)sent);
}

/* Shared by recvmsg and recvmsgInto: returns bytes, -1 on EAGAIN, -2 when an exception was thrown. */
static ssize_t receive(napi_env env, int fd, struct msghdr *msg, int flags) {
  ssize_t received;
  do {
    received = recvmsg(fd, msg, flags | MSG_DONTWAIT);
  } while (received < 0 && errno == EINTR);
  if (received >= 0) return received;
  if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
  throw_errno(env, errno, "recvmsg");
  return -2;
}

static napi_value js_recvmsg(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result, value;
  int32_t fd, control_wanted, flags;
  struct sockaddr_storage address;
  union { struct cmsghdr align; unsigned char bytes[MAX_CONTROL_BYTES]; } control;
  struct iovec iov;
  struct msghdr msg;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "recvmsg", &fd) ||
      !arg_bytes(env, argv[1], "recvmsg", false, &iov.iov_base, &iov.iov_len) ||
      !arg_int(env, argv[2], "recvmsg", &control_wanted) || !arg_int(env, argv[3], "recvmsg", &flags))
    return NULL;
  if (control_wanted < 0 || control_wanted > MAX_CONTROL_BYTES) return throw_errno(env, EINVAL, "recvmsg");
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &address;
  msg.msg_namelen = sizeof address;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_wanted ? control.bytes : NULL;
  msg.msg_controllen = (size_t)control_wanted;
  ssize_t received = receive(env, fd, &msg, flags);
  if (received == -2) return NULL;
  if (received == -1) {
    napi_get_null(env, &result);
    return result;
  }
  if (msg.msg_namelen > sizeof address) msg.msg_namelen = sizeof address;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "bytes", int_value(env, (int32_t)received));
  napi_create_buffer_copy(env, msg.msg_namelen, &address, NULL, &value);
  napi_set_named_property(env, result, "address", value);
  napi_create_buffer_copy(env, msg.msg_controllen, control.bytes, NULL, &value);
  napi_set_named_property(env, result, "control", value);
  napi_set_named_property(env, result, "flags", int_value(env, msg.msg_flags));
  return result;
}

/*
 * recvmsgInto(fd, buffer, name|null, control|null, meta: Int32Array(3), flags): allocation-free
 * receive. Returns bytes (or -1 on EAGAIN); meta = [nameLength, controlLength, msgFlags].
 */
static napi_value js_recvmsg_into(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], meta_buffer;
  int32_t fd, flags;
  struct iovec iov;
  struct msghdr msg;
  void *name, *control, *meta;
  size_t name_length, control_length, meta_length, meta_offset;
  napi_typedarray_type meta_type;
  bool typed = false;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "recvmsg", &fd) ||
      !arg_bytes(env, argv[1], "recvmsg", false, &iov.iov_base, &iov.iov_len) ||
      !arg_bytes(env, argv[2], "recvmsg", true, &name, &name_length) ||
      !arg_bytes(env, argv[3], "recvmsg", true, &control, &control_length) || !arg_int(env, argv[5], "recvmsg", &flags))
    return NULL;
  if (napi_is_typedarray(env, argv[4], &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, argv[4], &meta_type, &meta_length, &meta, &meta_buffer, &meta_offset) != napi_ok ||
      meta_type != napi_int32_array || meta_length < 3)
    return throw_errno(env, EINVAL, "recvmsg");
  memset(&msg, 0, sizeof msg);
  msg.msg_name = name_length ? name : NULL;
  msg.msg_namelen = (socklen_t)name_length;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_length ? control : NULL;
  msg.msg_controllen = control_length;
  ssize_t received = receive(env, fd, &msg, flags);
  if (received == -2) return NULL;
  int32_t *out = (int32_t *)meta;
  out[0] = received < 0 ? 0 : (int32_t)(msg.msg_namelen < name_length ? msg.msg_namelen : name_length);
  out[1] = received < 0 ? 0 : (int32_t)msg.msg_controllen;
  out[2] = received < 0 ? 0 : msg.msg_flags;
  return int_value(env, (int32_t)received);
}

/* ---------------------------------------------------------------- pollers */

static addon_state_t *get_state(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return (addon_state_t *)data;
}

static void free_poller(uv_handle_t *handle) { free(handle->data); }

/* Unlinks, releases the JS references (when `with_js`) and schedules the libuv close. */
static void stop_poller(addon_state_t *state, poller_t *target, bool with_js) {
  for (poller_t **link = &state->pollers; *link != NULL; link = &(*link)->next) {
    if (*link != target) continue;
    *link = target->next;
    break;
  }
  if (with_js) {
    napi_delete_reference(target->env, target->callback);
    napi_async_destroy(target->env, target->async_context);
  }
  uv_poll_stop(&target->handle);
  uv_close((uv_handle_t *)&target->handle, free_poller);
}

static void stop_pollers_of_fd(addon_state_t *state, int fd) {
  poller_t *p = state->pollers;
  while (p != NULL) {
    poller_t *next = p->next;
    if (p->fd == fd) stop_poller(state, p, true);
    p = next;
  }
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  poller_t *p = (poller_t *)handle->data;
  napi_env env = p->env;
  napi_handle_scope scope;
  napi_value callback, receiver, argument, ignored;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, p->callback, &callback) == napi_ok && callback != NULL) {
    napi_get_global(env, &receiver);
    if (status < 0) {
      const char *name = strerrorname_np(-status);
      napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &argument);
    } else {
      napi_get_null(env, &argument);
    }
    /* `p` may be stopped (and later freed) by the callback: do not touch it afterwards. */
    if (napi_make_callback(env, p->async_context, receiver, callback, 1, &argument, &ignored) != napi_ok) {
      bool pending = false;
      napi_value exception;
      napi_is_exception_pending(env, &pending);
      if (pending && napi_get_and_clear_last_exception(env, &exception) == napi_ok) napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value js_poll_close(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  void *data;
  addon_state_t *state = get_state(env);
  if (!get_args(env, info, argv, &data) || state == NULL) return NULL;
  uint32_t id = (uint32_t)(uintptr_t)data;
  for (poller_t *p = state->pollers; p != NULL; p = p->next) {
    if (p->id == id) {
      stop_poller(state, p, true);
      break;
    }
  }
  return undefined_value(env);
}

static napi_value js_poll(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], handle_object, close_function, resource_name;
  napi_valuetype callback_type;
  int32_t fd;
  addon_state_t *state = get_state(env);
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "poll", &fd)) return NULL;
  if (napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function)
    return throw_errno(env, EINVAL, "poll");
  if (fd < 0 || fcntl(fd, F_GETFD) < 0) return throw_errno(env, EBADF, "poll");
  for (poller_t *p = state->pollers; p != NULL; p = p->next)
    if (p->fd == fd) return throw_errno(env, EEXIST, "poll");
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return throw_errno(env, EINVAL, "poll");
  poller_t *p = calloc(1, sizeof *p);
  if (p == NULL) return throw_errno(env, ENOMEM, "poll");
  int err = uv_poll_init(loop, &p->handle, fd);
  if (err < 0) {
    free(p);
    return throw_errno(env, -err, "uv_poll_init");
  }
  p->handle.data = p;
  err = uv_poll_start(&p->handle, UV_READABLE, on_readable);
  if (err < 0) {
    uv_close((uv_handle_t *)&p->handle, free_poller);
    return throw_errno(env, -err, "uv_poll_start");
  }
  p->env = env;
  p->fd = fd;
  p->id = ++state->next_id;
  napi_create_reference(env, argv[1], 1, &p->callback);
  napi_create_string_utf8(env, "keepalived_native.poll", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &p->async_context);
  p->next = state->pollers;
  state->pollers = p;
  napi_create_object(env, &handle_object);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, js_poll_close, (void *)(uintptr_t)p->id, &close_function);
  napi_set_named_property(env, handle_object, "close", close_function);
  return handle_object;
}

/* ---------------------------------------------------------------- close, setns, interfaces */

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "close", &fd)) return NULL;
  if (fd < 0) return throw_errno(env, EBADF, "close");
  stop_pollers_of_fd(get_state(env), fd);
  /* close(2) reports a bad descriptor itself: no fcntl probe on this hot path. */
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, errno, "close");
  return undefined_value(env);
}

static napi_value js_setns(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd, nstype;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "setns", &fd) || !arg_int(env, argv[1], "setns", &nstype))
    return NULL;
  if (setns(fd, nstype) < 0) return throw_errno(env, errno, "setns");
  return undefined_value(env);
}

static napi_value js_if_name_to_index(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  char name[IF_NAMESIZE + 1];
  size_t length = 0;
  napi_valuetype type;
  if (!get_args(env, info, argv, NULL)) return NULL;
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_string) return throw_errno(env, EINVAL, "if_nametoindex");
  napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length);
  if (length >= IF_NAMESIZE) return int_value(env, 0);
  return int_value(env, (int32_t)if_nametoindex(name));
}

static napi_value js_if_index_to_name(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result;
  int32_t index;
  char name[IF_NAMESIZE];
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "if_indextoname", &index)) return NULL;
  if (index <= 0 || if_indextoname((unsigned)index, name) == NULL) {
    napi_get_null(env, &result);
    return result;
  }
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result);
  return result;
}

/* ---------------------------------------------------------------- module */

static void cleanup_state(void *data) {
  addon_state_t *state = (addon_state_t *)data;
  while (state->pollers != NULL) stop_poller(state, state->pollers, false);
  free(state);
}

static napi_value init(napi_env env, napi_value exports) {
  addon_state_t *state = calloc(1, sizeof *state);
  if (state == NULL) return throw_errno(env, ENOMEM, "init");
  napi_set_instance_data(env, state, NULL, NULL);
  napi_add_env_cleanup_hook(env, cleanup_state, state);
  napi_property_descriptor functions[] = {
    {"socket", NULL, js_socket, NULL, NULL, NULL, napi_enumerable, NULL},
    {"bind", NULL, js_bind, NULL, NULL, NULL, napi_enumerable, NULL},
    {"connect", NULL, js_connect, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setsockopt", NULL, js_setsockopt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getsockopt", NULL, js_getsockopt, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getsockname", NULL, js_getsockname, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendmsg", NULL, js_sendmsg, NULL, NULL, NULL, napi_enumerable, NULL},
    {"recvmsg", NULL, js_recvmsg, NULL, NULL, NULL, napi_enumerable, NULL},
    {"recvmsgInto", NULL, js_recvmsg_into, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"poll", NULL, js_poll, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setns", NULL, js_setns, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ifNameToIndex", NULL, js_if_name_to_index, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ifIndexToName", NULL, js_if_index_to_name, NULL, NULL, NULL, napi_enumerable, NULL},
    {"connectStart", NULL, js_connect_start, NULL, NULL, NULL, napi_enumerable, NULL},
    {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
    {"recv", NULL, js_recv, NULL, NULL, NULL, napi_enumerable, NULL},
    {"epollCreate", NULL, js_epoll_create, NULL, NULL, NULL, napi_enumerable, NULL},
    {"epollCtl", NULL, js_epoll_ctl, NULL, NULL, NULL, napi_enumerable, NULL},
    {"epollWaitInto", NULL, js_epoll_wait_into, NULL, NULL, NULL, napi_enumerable, NULL},
    {"timerfdCreate", NULL, js_timerfd_create, NULL, NULL, NULL, napi_enumerable, NULL},
    {"timerfdSet", NULL, js_timerfd_set, NULL, NULL, NULL, napi_enumerable, NULL},
    {"timerfdRead", NULL, js_timerfd_read, NULL, NULL, NULL, napi_enumerable, NULL},
    {"schedSetScheduler", NULL, js_sched_set_scheduler, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setPriority", NULL, js_set_priority, NULL, NULL, NULL, napi_enumerable, NULL},
    {"schedSetAffinity", NULL, js_sched_set_affinity, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setRlimitRttime", NULL, js_set_rlimit_rttime, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
