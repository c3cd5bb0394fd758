// PLACEHOLDER (client issue replaces it): bundles client/ into public/build with hashed names.
