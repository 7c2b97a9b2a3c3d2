//! Entry point: mount the playground (everything else lives in the library).

fn main() {
    scim_playground::mount();
}
