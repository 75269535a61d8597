"""The receiving platform fixture, shared by the delivery tests."""

from tests.delivery.test_send import receiver

__all__ = ["receiver"]
