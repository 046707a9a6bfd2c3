"""The peak resident memory of a process a benchmark starts, read by that process itself as it exits.

Not ``ru_maxrss``: Linux carries a process's high-water mark across fork and exec, so a `kg build` started by a
benchmark that had itself grown to 636 MB reported 636 MB, where the same build started from a shell peaks at
244 MB. ``VmHWM`` in ``/proc/self/status`` belongs to the address space the new program was given; elsewhere
``ru_maxrss`` is the fallback.
"""
from __future__ import annotations

# Prepended to the code a benchmark runs with `python -c`: defines _peak_kb().
PEAK_KB = """
def _peak_kb():
    try:
        with open('/proc/self/status') as f:
            return next(int(line.split()[1]) for line in f if line.startswith('VmHWM:'))
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
