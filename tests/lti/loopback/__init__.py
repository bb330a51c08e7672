"""The loopback LMS the LTI tests launch from (``app``), and its controller
(``harness``)."""
