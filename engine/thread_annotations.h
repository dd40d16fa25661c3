// Clang's thread-safety annotations, so that -Wthread-safety checks what a
// comment could only say: which mutex guards a member (GUARDED_BY), which a
// function must hold (REQUIRES) or must not (EXCLUDES). Other compilers see
// nothing. `.ci/thread-safety` builds with the warnings as errors.
#pragma once

#if defined(__clang__)
#define KEEL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define KEEL_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (Mutex), and one that holds a lock for its lifetime (MutexLock).
#define CAPABILITY(name) KEEL_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY KEEL_THREAD_ANNOTATION(scoped_lockable)

// A member read or written only with `mu` held; PT_: the data it points to.
#define GUARDED_BY(mu) KEEL_THREAD_ANNOTATION(guarded_by(mu))
#define PT_GUARDED_BY(mu) KEEL_THREAD_ANNOTATION(pt_guarded_by(mu))

// A function called with the locks held, or not held.
#define REQUIRES(...) KEEL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) KEEL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// A function that takes or lets go of the locks (none named: its own object).
#define ACQUIRE(...) KEEL_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) KEEL_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(mu) KEEL_THREAD_ANNOTATION(assert_capability(mu))

// Turns the analysis off for one function it cannot follow; say why next to it.
#define NO_THREAD_SAFETY_ANALYSIS KEEL_THREAD_ANNOTATION(no_thread_safety_analysis)
