//! Resource handles: one per group of endpoints, each borrowed from a
//! transport (usually a [`Client`](crate::Client)).

pub(crate) mod auth_sessions;
pub(crate) mod end_users;

/// Declares a resource handle: a struct borrowing a transport, which is
/// itself a transport, so its `#[api]` methods send through it.
macro_rules! resource_handle {
    ($(#[$meta:meta])* $name:ident) => {
        $crate::resources::resource_handle! { $(#[$meta])* $name, $crate::Client }
    };
    ($(#[$meta:meta])* $name:ident, $default:ty) => {
        $(#[$meta])*
        pub struct $name<'a, T: ?Sized = $default> {
            transport: &'a T,
        }

        impl<'a, T: $crate::Transport + ?Sized> $name<'a, T> {
            /// The handle over any transport, such as a wrapper of your own
            /// around a [`Client`](crate::Client).
            pub fn new(transport: &'a T) -> Self {
                $name { transport }
            }
        }

        // Not `Clone`: a page stream keeps the handle's transport, not the
        // borrowing handle (see `PageTransport`).
        impl<T: $crate::PageTransport + ?Sized> $crate::PageTransport for $name<'_, T> {
            type Owned = T::Owned;

            fn owned_transport(&self) -> T::Owned {
                self.transport.owned_transport()
            }
        }

        impl<T: ?Sized> ::core::fmt::Debug for $name<'_, T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl<T: $crate::Transport + ?Sized> $crate::Transport for $name<'_, T> {
            fn send(
                &self,
                request: $crate::Request,
            ) -> impl ::core::future::Future<Output = $crate::Result<$crate::Response<$crate::Bytes>>> + Send {
                self.transport.send(request)
            }
        }
    };
}
pub(crate) use resource_handle;
