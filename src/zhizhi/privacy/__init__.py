"""Personal data: the catalogue of what is personal, masking by role and purpose, detection in free text, retention."""
