"""Policy rules applied to the workforce (retirement age, ...)."""
