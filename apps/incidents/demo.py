"""Demo data of the incidents app: each part registers its own steps (imported here)."""
