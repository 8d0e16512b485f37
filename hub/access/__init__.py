"""Need-to-know access: who may see which family, member and department section (pure policy + facts)."""
