/*
 * Hot-path calls for many short TCP exchanges (health checks), still protocol-free:
 *
 * - connectStart/send/recv report "would block" (EINPROGRESS, EAGAIN) as a return value, not an
 *   exception, because on a non-blocking socket it is the normal case;
 * - a private epoll set: the caller registers many sockets in it and watches only the epoll fd
 *   itself with poll() (nested epoll is allowed), then drains every ready socket with ONE
 *   epollWaitInto call per loop turn. One callback into JS serves every ready socket, and a
 *   socket costs one epoll_ctl instead of libuv's per-handle init/check/start/stop calls.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "native_common.h"

#define MAX_EPOLL_EVENTS 1024

/* connectStart(fd, sockaddr): 0 when connected at once, -1 while in progress; throws otherwise. */
napi_value js_connect_start(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd;
  struct sockaddr_storage address;
  socklen_t length;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "connect", &fd) ||
      !arg_sockaddr(env, argv[1], "connect", false, &address, &length))
    return NULL;
  int rc;
  do {
    rc = connect(fd, (struct sockaddr *)&address, length);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return int_value(env, 0);
  if (errno == EINPROGRESS || errno == EALREADY) return int_value(env, -1);
  return throw_errno(env, errno, "connect");
}

/* send(fd, data): bytes sent, or -1 when it would block (also while still connecting). */
napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd;
  void *data;
  size_t length;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "send", &fd) ||
      !arg_bytes(env, argv[1], "send", false, &data, &length))
    return NULL;
  ssize_t sent;
  do {
    sent = send(fd, data, length, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) return int_value(env, (int32_t)sent);
  if (errno == EAGAIN || errno == EWOULDBLOCK) return int_value(env, -1);
  return throw_errno(env, errno, "send");
}

/* recv(fd, buffer): bytes received (0 = end of stream), or -1 when nothing is waiting. */
napi_value js_recv(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd;
  void *data;
  size_t length;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "recv", &fd) ||
      !arg_bytes(env, argv[1], "recv", false, &data, &length))
    return NULL;
  ssize_t received;
  do {
    received = recv(fd, data, length, MSG_DONTWAIT);
  } while (received < 0 && errno == EINTR);
  if (received >= 0) return int_value(env, (int32_t)received);
  if (errno == EAGAIN || errno == EWOULDBLOCK) return int_value(env, -1);
  return throw_errno(env, errno, "recv");
}

napi_value js_epoll_create(napi_env env, napi_callback_info info) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "epoll_create1");
  return int_value(env, fd);
}

/* epollCtl(epfd, op, fd, events): op 1 ADD, 2 DEL, 3 MOD; the event data is the fd itself. */
napi_value js_epoll_ctl(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t epfd, op, fd, events;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "epoll_ctl", &epfd) ||
      !arg_int(env, argv[1], "epoll_ctl", &op) || !arg_int(env, argv[2], "epoll_ctl", &fd) ||
      !arg_int(env, argv[3], "epoll_ctl", &events))
    return NULL;
  if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD) return throw_errno(env, EINVAL, "epoll_ctl");
  struct epoll_event event = {.events = (uint32_t)events, .data = {.fd = fd}};
  if (epoll_ctl(epfd, op, fd, &event) < 0) return throw_errno(env, errno, "epoll_ctl");
  return undefined_value(env);
}

/*
 * epollWaitInto(epfd, out: Int32Array): never blocks; writes [fd, events] pairs for up to
 * out.length / 2 (at most 1024) ready sockets and returns how many.
 */
napi_value js_epoll_wait_into(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], array_buffer;
  int32_t epfd;
  void *data;
  size_t length, offset;
  napi_typedarray_type type;
  bool typed = false;
  struct epoll_event events[MAX_EPOLL_EVENTS];
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "epoll_wait", &epfd)) return NULL;
  if (napi_is_typedarray(env, argv[1], &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &data, &array_buffer, &offset) != napi_ok ||
      type != napi_int32_array || length < 2)
    return throw_errno(env, EINVAL, "epoll_wait");
  int wanted = (int)(length / 2 < MAX_EPOLL_EVENTS ? length / 2 : MAX_EPOLL_EVENTS);
  int ready;
  do {
    ready = epoll_wait(epfd, events, wanted, 0);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return throw_errno(env, errno, "epoll_wait");
  int32_t *out = (int32_t *)data;
  for (int i = 0; i < ready; i++) {
    out[2 * i] = events[i].data.fd;
    out[2 * i + 1] = (int32_t)events[i].events;
  }
  return int_value(env, ready);
}
