"""Random inspections (双随机、一公开): the item list and the two registers (一单两库), seeded draws anyone can
re-check, joint visits entered once and delivered to every department's platform, and publication on the
working-day clock.

The front door:
- workload in numbers: `workload_counts` (per office and inspector: draws, visits, open items), `Workload`,
  `WorkloadCounts`.
"""

from zhizhi.inspections.workload import Workload, WorkloadCounts, workload_counts

__all__ = ["Workload", "WorkloadCounts", "workload_counts"]
