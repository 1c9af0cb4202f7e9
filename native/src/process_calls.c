/*
 * Timer and scheduling calls of the addon (extensions used by the VRRP process):
 *   timerfdCreate()                      timerfd on CLOCK_MONOTONIC, non-blocking, close-on-exec
 *   timerfdSet(fd, seconds, nanoseconds) arm at that absolute CLOCK_MONOTONIC time (0, 0: disarm)
 *   timerfdRead(fd)                      expirations since the last read (0 when none: EAGAIN)
 *   schedSetScheduler(tid, policy, priority, resetOnFork)   sched_setscheduler(2)
 *   setPriority(tid, nice)              setpriority(PRIO_PROCESS, tid): one thread on Linux
 *   schedSetAffinity(tid, cpus[])       sched_setaffinity(2)
 *   setRlimitRttime(soft, hard)         setrlimit(RLIMIT_RTTIME), microseconds (-1: unlimited)
 * tid 0 is the calling thread. Failures throw as everywhere in the addon (code = errno name).
 */
#include <node_api.h>

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "native_common.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

napi_value js_timerfd_create(napi_env env, napi_callback_info info) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "timerfd_create");
  return int_value(env, fd);
}

napi_value js_timerfd_set(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd, nanoseconds;
  double seconds;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "timerfd_settime", &fd) ||
      !arg_int(env, argv[2], "timerfd_settime", &nanoseconds))
    return NULL;
  if (napi_get_value_double(env, argv[1], &seconds) != napi_ok || seconds < 0 || nanoseconds < 0 || nanoseconds > 999999999)
    return throw_errno(env, EINVAL, "timerfd_settime");
  struct itimerspec spec = {0};
  spec.it_value.tv_sec = (time_t)seconds;
  spec.it_value.tv_nsec = nanoseconds;
  if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL) < 0) return throw_errno(env, errno, "timerfd_settime");
  return undefined_value(env);
}

napi_value js_timerfd_read(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t fd;
  uint64_t expirations = 0;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "read", &fd)) return NULL;
  ssize_t n = read(fd, &expirations, sizeof expirations);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return int_value(env, 0);
    return throw_errno(env, errno, "read");
  }
  return int_value(env, expirations > INT32_MAX ? INT32_MAX : (int32_t)expirations);
}

napi_value js_sched_set_scheduler(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t tid, policy, priority;
  bool reset_on_fork = false;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "sched_setscheduler", &tid) ||
      !arg_int(env, argv[1], "sched_setscheduler", &policy) || !arg_int(env, argv[2], "sched_setscheduler", &priority))
    return NULL;
  if (napi_get_value_bool(env, argv[3], &reset_on_fork) != napi_ok) return throw_errno(env, EINVAL, "sched_setscheduler");
  struct sched_param param = {.sched_priority = priority};
  if (sched_setscheduler(tid, policy | (reset_on_fork ? SCHED_RESET_ON_FORK : 0), &param) < 0)
    return throw_errno(env, errno, "sched_setscheduler");
  return undefined_value(env);
}

napi_value js_set_priority(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  int32_t tid, nice_value;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "setpriority", &tid) ||
      !arg_int(env, argv[1], "setpriority", &nice_value))
    return NULL;
  if (setpriority(PRIO_PROCESS, (id_t)tid, nice_value) < 0) return throw_errno(env, errno, "setpriority");
  return undefined_value(env);
}

napi_value js_sched_set_affinity(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], element;
  int32_t tid, cpu;
  uint32_t count = 0;
  bool is_array = false;
  if (!get_args(env, info, argv, NULL) || !arg_int(env, argv[0], "sched_setaffinity", &tid)) return NULL;
  if (napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array) return throw_errno(env, EINVAL, "sched_setaffinity");
  napi_get_array_length(env, argv[1], &count);
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < count; i++) {
    if (napi_get_element(env, argv[1], i, &element) != napi_ok || !arg_int(env, element, "sched_setaffinity", &cpu)) return NULL;
    if (cpu < 0 || cpu >= CPU_SETSIZE) return throw_errno(env, EINVAL, "sched_setaffinity");
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(tid, sizeof set, &set) < 0) return throw_errno(env, errno, "sched_setaffinity");
  return undefined_value(env);
}

napi_value js_set_rlimit_rttime(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  double soft, hard;
  if (!get_args(env, info, argv, NULL) || napi_get_value_double(env, argv[0], &soft) != napi_ok ||
      napi_get_value_double(env, argv[1], &hard) != napi_ok)
    return throw_errno(env, EINVAL, "setrlimit");
  struct rlimit limit = {
    .rlim_cur = soft < 0 ? RLIM_INFINITY : (rlim_t)soft,
    .rlim_max = hard < 0 ? RLIM_INFINITY : (rlim_t)hard,
  };
  if (setrlimit(RLIMIT_RTTIME, &limit) < 0) return throw_errno(env, errno, "setrlimit");
  return undefined_value(env);
}
