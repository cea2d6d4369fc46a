fn main() {
    // Declaring the app's commands makes Tauri generate one permission per command, so the
    // capability file can allow exactly these and nothing else.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
        "app_info",
        "list_profiles",
        "new_external_id",
        "validate_plan",
        "preview",
        "export_bundle",
        "pick_export_folder",
        "save_draft",
        "load_draft",
        "clear_draft",
        "open_console",
        "import_profile",
        "imported_profile",
        "accept_unsigned_profile",
        "aws_identity",
        "aws_profiles",
        "aws_use_profile",
        "aws_use_credentials",
        "aws_sign_out",
        "aws_signed_in",
        "apply_aws",
        "confirm_apply",
        "verify_plan",
        "store_credentials",
        "credentials_status",
        "vendor_key_status",
        "register_vendor",
        "list_packs",
        "validate_pack_plan",
        "preview_pack",
        "export_pack",
        "apply_pack_aws",
    ])))
    .expect("tauri build script");
}
